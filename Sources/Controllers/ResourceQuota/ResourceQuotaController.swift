import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Synchronization

/// The resource quota controller (pkg/controller/resourcequota): each ResourceQuota's status is
/// its `spec.hard` and what the namespace uses of it, recounted whenever a quota or an object it
/// counts changes, and every five minutes (`--resource-quota-sync-period`) on the injected clock.
/// Admission charges creates at once (ResourceQuotaAdmission); this recount frees what deleted
/// or finished objects used.
public struct ResourceQuotaController: Controller {
    public let name = "resourcequota-controller"
    private let runtime = RuntimeBox()

    public init() {}

    static let quotas = GroupResource(group: "", resource: "resourcequotas")
    /// The kinds whose objects quotas count beyond `count/...`, watched so a change recounts.
    static let counted: [GroupResource] = [
        GroupResource(group: "", resource: "pods"), GroupResource(group: "", resource: "services"),
        GroupResource(group: "", resource: "configmaps"), GroupResource(group: "", resource: "secrets"),
        GroupResource(group: "", resource: "persistentvolumeclaims"), GroupResource(group: "", resource: "replicationcontrollers"),
        quotas,
    ]
    static let syncPeriod: Duration = .seconds(300)

    final class Runtime: Sendable {
        let context: ControllerContext
        let queue: WorkQueue<String>
        let informers: [GroupResource: Informer]
        init(context: ControllerContext) {
            self.context = context
            queue = WorkQueue(name: "resourcequota_primary", timers: context.timers)
            var informers: [GroupResource: Informer] = [:]
            for resource in ResourceQuotaController.counted { informers[resource] = context.informer(resource) }
            self.informers = informers
        }
        var quotas: Informer { informers[ResourceQuotaController.quotas]! }
    }

    final class RuntimeBox: Sendable {
        let value = Mutex<Runtime?>(nil)
    }

    var current: Runtime? { runtime.value.withLock { $0 } }
    var isIdle: Bool { current?.queue.isIdle ?? true }

    public func register(_ context: ControllerContext) {
        let rt = Runtime(context: context)
        runtime.value.withLock { $0 = rt }
        rt.quotas.addHandler(Informer.Handler(added: { rt.queue.add($0.meta.key) }, updated: { _, new in rt.queue.add(new.meta.key) }))
        // Any change to a counted object recounts its namespace's quotas.
        let recount: @Sendable (JSON) -> Void = { object in
            for quota in rt.quotas.list(namespace: object.meta.namespace) { rt.queue.add(quota.meta.key) }
        }
        for (resource, informer) in rt.informers where resource != Self.quotas {
            informer.addHandler(Informer.Handler(added: recount, updated: { _, new in recount(new) }, deleted: recount))
        }
    }

    public func start(_ context: ControllerContext) {
        guard let rt = current else { return }
        rt.queue.run(workers: 1, logger: rt.context.logger) { key in try Self.sync(key, rt) }
        Self.scheduleResync(rt)
    }

    static func scheduleResync(_ rt: Runtime) {
        rt.context.timers.after(syncPeriod) {
            for quota in rt.quotas.list() { rt.queue.add(quota.meta.key) }
            scheduleResync(rt)
        }
    }

    /// syncResourceQuota: recount, and write the status when it changed.
    static func sync(_ key: String, _ rt: Runtime) throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let quota = rt.quotas.get(namespace: parts[0], name: parts[1]), !quota.meta.isBeingDeleted else { return }
        let status = self.status(of: quota, rt)
        if SemanticEquality.equal(quota["status"], status) { return }
        var updated = quota
        updated["status"] = status
        do {
            _ = try rt.context.client(Self.quotas).updateStatus(namespace: parts[0], name: parts[1],
                                                                             body: RequestBody(value: updated), options: WriteOptions())
        } catch {
            if error.isNotFound { return }
            throw error
        }
    }

    /// `hard` as the spec says it, `used` for each of its resources (zero when nothing uses it).
    static func status(of quota: JSON, _ rt: Runtime) -> JSON {
        let hard = quota[path: "spec", "hard"]?.objectValue ?? [:]
        let namespace = quota.meta.namespace
        let now = rt.context.timers.now()
        var used: [String: Quantity] = [:]
        for name in hard.keys { used[name] = Quantity(0) }
        for (resource, informer) in rt.informers {
            for object in informer.list(namespace: namespace) {
                guard ResourceQuotaUsage.applies(quota, to: object, resource: resource, now: now) else { continue }
                for (name, amount) in ResourceQuotaUsage.usage(of: object, resource: resource, now: now) where used[name] != nil {
                    used[name] = ResourceQuotaUsage.sum(used[name]!, amount)
                }
            }
        }
        // `count/<resource>.<group>` of kinds not watched here: counted in their stores.
        for name in hard.keys where name.hasPrefix("count/") {
            let target = GroupResource(parsing: String(name.dropFirst("count/".count)))
            guard rt.informers[target] == nil, let store = rt.context.registry.store(target) else { continue }
            used[name] = Quantity(Int64(store.list(namespace: namespace).items.count))
        }
        var hardJSON = JSONObject(), usedJSON = JSONObject()
        for name in hard.keys.sorted() {
            hardJSON[name] = hard[name].flatMap { try? Quantity(json: $0) }.map { .string($0.canonical) } ?? hard[name]
            usedJSON[name] = .string(used[name]!.canonical)
        }
        return ["hard": .object(hardJSON), "used": .object(usedJSON)]
    }
}
