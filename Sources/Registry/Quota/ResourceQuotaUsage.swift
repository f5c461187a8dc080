import APIMachinery
import Foundation

/// What an object counts against a ResourceQuota, as upstream's quota evaluators measure it
/// (pkg/quota/v1/evaluator/core and generic): every stored object its `count/<resource>[.<group>]`;
/// a pod that has not ended `pods` and its compute requests and limits; a Service its node ports
/// and load balancer; a claim its storage request, also per StorageClass; the legacy counted kinds
/// their plain names (`services`, `configmaps`, `secrets`, ...).
public enum ResourceQuotaUsage {
    /// Kinds with a legacy count name beside `count/...`.
    static let legacyCounts: [GroupResource: String] = [
        GroupResource(group: "", resource: "services"): "services",
        GroupResource(group: "", resource: "configmaps"): "configmaps",
        GroupResource(group: "", resource: "secrets"): "secrets",
        GroupResource(group: "", resource: "persistentvolumeclaims"): "persistentvolumeclaims",
        GroupResource(group: "", resource: "replicationcontrollers"): "replicationcontrollers",
        GroupResource(group: "", resource: "resourcequotas"): "resourcequotas",
    ]

    /// The resources a pod's containers must state when a quota limits them (upstream's
    /// validationSet: quotas on cpu or memory made requests mandatory, for compatibility).
    static let mustSpecify = ["cpu", "limits.cpu", "limits.memory", "memory", "requests.cpu", "requests.memory"]

    static let podsResource = GroupResource(group: "", resource: "pods")

    /// `count/pods`, `count/deployments.apps`.
    public static func countName(_ resource: GroupResource) -> String {
        resource.group.isEmpty ? "count/\(resource.resource)" : "count/\(resource.resource).\(resource.group)"
    }

    /// The usage of one object of `resource`, now.
    public static func usage(of object: JSON, resource: GroupResource, now: Date) -> [String: Quantity] {
        var usage: [String: Quantity] = [countName(resource): Quantity(1)]
        if let legacy = legacyCounts[resource] { usage[legacy] = Quantity(1) }
        switch resource {
        case podsResource:
            guard countsAsLive(object, now: now) else { break }
            usage["pods"] = Quantity(1)
            let (requests, limits) = PodLimitRangeAdmission.podResources(object)
            for name in ["cpu", "memory", "ephemeral-storage"] {
                if let request = requests[name] {
                    usage[name] = request
                    usage["requests.\(name)"] = request
                }
                if let limit = limits[name] { usage["limits.\(name)"] = limit }
            }
        case GroupResource(group: "", resource: "services"):
            let type = object[path: "spec", "type"]?.stringValue ?? "ClusterIP"
            if type == "LoadBalancer" { usage["services.loadbalancers"] = Quantity(1) }
            if type == "NodePort" || type == "LoadBalancer" {
                usage["services.nodeports"] = Quantity(Int64(object[path: "spec", "ports"]?.arrayValue?.count ?? 0))
            }
        case GroupResource(group: "", resource: "persistentvolumeclaims"):
            let storage = (try? object[path: "spec", "resources", "requests", "storage"].map { try Quantity(json: $0) }) ?? nil
            let storageClass = object[path: "spec", "storageClassName"]?.stringValue ?? ""
            if let storage { usage["requests.storage"] = storage }
            if !storageClass.isEmpty {
                usage["\(storageClass).storageclass.storage.k8s.io/persistentvolumeclaims"] = Quantity(1)
                if let storage { usage["\(storageClass).storageclass.storage.k8s.io/requests.storage"] = storage }
            }
        default:
            break
        }
        return usage
    }

    /// QuotaV1Pod: a pod that has not ended, and is not past its deletion grace period.
    static func countsAsLive(_ pod: JSON, now: Date) -> Bool {
        let phase = pod[path: "status", "phase"]?.stringValue
        if phase == "Succeeded" || phase == "Failed" { return false }
        if let deleted = pod[path: "metadata", "deletionTimestamp"]?.stringValue.flatMap(Timestamp.parse),
           let grace = pod[path: "metadata", "deletionGracePeriodSeconds"]?.intValue {
            return now <= deleted.addingTimeInterval(TimeInterval(grace))
        }
        return true
    }

    /// Whether a quota applies to an object: its `hard` names something the object uses, and every
    /// scope requirement (`spec.scopes` and `spec.scopeSelector`) matches it; only pods match scopes.
    public static func applies(_ quota: JSON, to object: JSON, resource: GroupResource, now: Date) -> Bool {
        let requirements = ResourceQuotaScopeRequirement.all(of: quota)
        if requirements.isEmpty { return true }
        guard resource == podsResource else { return false }
        return requirements.allSatisfy { $0.matches(pod: object) }
    }

    static func isBestEffort(_ pod: JSON) -> Bool {
        let containers = (pod[path: "spec", "containers"]?.arrayValue ?? []) + (pod[path: "spec", "initContainers"]?.arrayValue ?? [])
        return containers.allSatisfy { container in
            (container[path: "resources", "requests"]?.objectValue ?? [:]).isEmpty && (container[path: "resources", "limits"]?.objectValue ?? [:]).isEmpty
        }
    }

    /// The pod evaluator's Constraints: with cpu or memory under quota, every container states them.
    static func missingStatements(_ pod: JSON, required: Set<String>) -> String? {
        let needed = required.intersection(mustSpecify)
        guard !needed.isEmpty else { return nil }
        var missing: [String: [String]] = [:]
        let containers = (pod[path: "spec", "containers"]?.arrayValue ?? []) + (pod[path: "spec", "initContainers"]?.arrayValue ?? [])
        for container in containers {
            let requests = container[path: "resources", "requests"]?.objectValue ?? [:]
            let limits = container[path: "resources", "limits"]?.objectValue ?? [:]
            for name in needed {
                let stated = name.hasPrefix("limits.") ? limits[String(name.dropFirst(7))] != nil
                    : requests[name.hasPrefix("requests.") ? String(name.dropFirst(9)) : name] != nil
                if !stated { missing[name, default: []].append(container["name"]?.stringValue ?? "") }
            }
        }
        guard !missing.isEmpty else { return nil }
        return "must specify " + missing.keys.sorted().map { "\($0) for: \(Set(missing[$0]!).sorted().joined(separator: ","))" }
            .joined(separator: "; ")
    }

    /// A sum at milli precision, in the first term's suffix family (quota amounts are far from the
    /// 9·10¹⁵ a milli count can hold).
    public static func sum(_ a: Quantity, _ b: Quantity) -> Quantity {
        Quantity(milliValue: a.scaledValue(-3) + b.scaledValue(-3), format: a.isZero ? b.format : a.format)
    }

    static func quantities(_ list: JSON?) -> [String: Quantity] { PodLimitRangeAdmission.quantities(list) }

    /// prettyPrint: `name=value` pairs in name order.
    static func describe(_ list: [String: Quantity]) -> String {
        list.keys.sorted().map { "\($0)=\(list[$0]!.canonical)" }.joined(separator: ",")
    }
}
