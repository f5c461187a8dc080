import APIMachinery
import Foundation
import Storage

/// Upstream's ResourceQuota admission (k8s.io/apiserver/pkg/admission/plugin/resourcequota): a
/// create in a namespace with quotas is charged to each quota that applies, before it is stored.
/// A quota whose status names a resource but not its usage refuses (`status unknown for quota`), one that
/// would go over its hard limit refuses (`exceeded quota`), and a pod that does not state a
/// cpu or memory under quota refuses (`must specify`), all 403. An admitted charge is written to
/// the quota's `status.used` at once, compare-and-swap, so quick creates cannot overshoot; the
/// quota controller recounts from what is stored.
final class ResourceQuotaAdmission: @unchecked Sendable {
    /// Set once by `Registry.init`.
    weak var quotas: ResourceStore?
    let clock: any Clock

    init(clock: any Clock) { self.clock = clock }

    static let quotasResource = GroupResource(group: "", resource: "resourcequotas")

    func admit(_ object: JSON, resource: GroupResource, namespace: String, dryRun: Bool) throws(APIError) {
        guard let quotas, !namespace.isEmpty else { return }
        for _ in 0..<5 {
            let listed = quotas.list(namespace: namespace).items
            if listed.isEmpty { return }
            let usage = ResourceQuotaUsage.usage(of: object, resource: resource, now: clock.now())
            var charges: [(StoredObject, [String: Quantity])] = []
            for stored in listed {
                let quota = stored.object
                guard ResourceQuotaUsage.applies(quota, to: object, resource: resource, now: clock.now()) else { continue }
                let hard = ResourceQuotaUsage.quantities(quota[path: "status", "hard"])
                // What the quota limits is what its status says (upstream's evaluator reads status.hard): a quota
                // the controller has not counted yet limits nothing.
                let restricted = Set(hard.keys).filter { usage[$0] != nil || ResourceQuotaUsage.mustSpecify.contains($0) && resource == ResourceQuotaUsage.podsResource }
                if restricted.isEmpty { continue }
                if resource == ResourceQuotaUsage.podsResource, let missing = ResourceQuotaUsage.missingStatements(object, required: restricted) {
                    throw Admission.forbidden(object, resource: resource, "failed quota: \(quota.meta.name): \(missing)")
                }
                let used = ResourceQuotaUsage.quantities(quota[path: "status", "used"])
                let unknown = restricted.filter { hard[$0] == nil || used[$0] == nil }.sorted()
                if !unknown.isEmpty {
                    throw Admission.forbidden(object, resource: resource,
                                                         "status unknown for quota: \(quota.meta.name), resources: \(unknown.joined(separator: ","))")
                }
                let requested = usage.filter { hard[$0.key] != nil && !$0.value.isZero }
                if requested.isEmpty { continue }
                var newUsed = used
                var exceeded: [String] = []
                for (name, amount) in requested {
                    let total = ResourceQuotaUsage.sum(used[name] ?? Quantity(0), amount)
                    newUsed[name] = total
                    if let limit = hard[name], limit < total { exceeded.append(name) }
                }
                if !exceeded.isEmpty {
                    func masked(_ list: [String: Quantity]) -> [String: Quantity] { list.filter { exceeded.contains($0.key) } }
                    throw Admission.forbidden(object, resource: resource,
                        "exceeded quota: \(quota.meta.name), requested: \(ResourceQuotaUsage.describe(masked(requested))), "
                        + "used: \(ResourceQuotaUsage.describe(masked(used))), limited: \(ResourceQuotaUsage.describe(masked(hard)))")
                }
                charges.append((stored, newUsed))
            }
            if dryRun || charges.isEmpty { return }
            if try charge(charges) { return }
        }
        throw APIError.conflict(Self.quotasResource, namespace, "the quotas of this namespace kept changing; please try again")
    }

    /// Writes the new usage to each quota; false when one changed meanwhile (the caller re-reads).
    private func charge(_ charges: [(StoredObject, [String: Quantity])]) throws(APIError) -> Bool {
        guard let quotas else { return true }
        for (stored, used) in charges {
            var quota = stored.object
            var usedJSON = quota[path: "status", "used"]?.objectValue ?? [:]
            for (name, amount) in used { usedJSON[name] = .string(amount.canonical) }
            quota[path: "status", "used"] = .object(usedJSON)
            do {
                _ = try StatusStore(store: quotas).update(namespace: stored.object.meta.namespace, name: stored.object.meta.name,
                                                          body: RequestBody(value: quota), options: WriteOptions())
            } catch {
                if error.isConflict { return false }
                throw error
            }
        }
        return true
    }
}
