import APIMachinery
import Storage

/// Upstream's LimitRanger admission for a new pod (plugin/pkg/admission/limitranger): each
/// Container item of the namespace's LimitRanges fills the requests and limits a container leaves
/// out (noted in the `kubernetes.io/limit-ranger` annotation), then every item's min, max and
/// limit/request ratio must hold, per container or (Pod items) summed over the pod; a pod that
/// breaks one is refused with 403 and the constraint's words.
enum PodLimitRangeAdmission {
    static let annotation = "kubernetes.io/limit-ranger"

    static func admit(_ pod: inout JSON, ranges: [JSON]) throws(APIError) {
        var notes: [String] = []
        for range in ranges {
            let items = range[path: "spec", "limits"]?.arrayValue ?? []
            var defaults: JSONObject = [:], requests: JSONObject = [:]
            for item in items where item["type"]?.stringValue == "Container" {
                for (name, value) in item["default"]?.objectValue ?? [:] { defaults[name] = value }
                for (name, value) in item["defaultRequest"]?.objectValue ?? [:] { requests[name] = value }
            }
            if defaults.isEmpty && requests.isEmpty { continue }
            for (list, prefix) in [("containers", "container"), ("initContainers", "init container")] {
                guard var containers = pod[path: "spec", list]?.arrayValue else { continue }
                for i in containers.indices {
                    notes += merge(&containers[i], limits: defaults, requests: requests, prefix: prefix)
                }
                pod[path: "spec", list] = .array(containers)
            }
        }
        if !notes.isEmpty {
            pod[path: "metadata", "annotations", annotation] = .string("LimitRanger plugin set: " + notes.joined(separator: "; "))
        }
        var errors: [String] = []
        for range in ranges {
            for item in range[path: "spec", "limits"]?.arrayValue ?? [] {
                errors += violations(pod, item)
            }
        }
        if !errors.isEmpty {
            // utilerrors.NewAggregate: one error as it is, several in brackets.
            let why = errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]"
            throw Admission.forbidden(pod, resource: ResourceCatalog.pods.groupResource, why)
        }
    }

    /// mergeContainerResources: the defaults a container lacks, and what was set, for the annotation.
    static func merge(_ container: inout JSON, limits: JSONObject, requests: JSONObject, prefix: String) -> [String] {
        var resources = container["resources"]?.objectValue ?? [:]
        var setLimits: [String] = [], setRequests: [String] = []
        var containerLimits = resources["limits"]?.objectValue ?? [:]
        for (name, value) in limits where containerLimits[name] == nil {
            containerLimits[name] = value
            setLimits.append(name)
        }
        var containerRequests = resources["requests"]?.objectValue ?? [:]
        for (name, value) in requests where containerRequests[name] == nil {
            containerRequests[name] = value
            setRequests.append(name)
        }
        if !containerLimits.isEmpty { resources["limits"] = .object(containerLimits) }
        if !containerRequests.isEmpty { resources["requests"] = .object(containerRequests) }
        container["resources"] = .object(resources)
        let name = container["name"]?.stringValue ?? ""
        var notes: [String] = []
        if !setRequests.isEmpty { notes.append(setRequests.sorted().joined(separator: ", ") + " request for \(prefix) \(name)") }
        if !setLimits.isEmpty { notes.append(setLimits.sorted().joined(separator: ", ") + " limit for \(prefix) \(name)") }
        return notes
    }

    /// The broken constraints of one LimitRange item for `pod`.
    static func violations(_ pod: JSON, _ item: JSON) -> [String] {
        let type = item["type"]?.stringValue ?? ""
        let subjects: [(requests: [String: Quantity], limits: [String: Quantity])]
        switch type {
        case "Container":
            subjects = (pod[path: "spec", "containers"]?.arrayValue ?? []).map(resources)
                + (pod[path: "spec", "initContainers"]?.arrayValue ?? []).map(resources)
        case "Pod":
            subjects = [podResources(pod)]
        default:
            return []
        }
        var errors: [String] = []
        for subject in subjects {
            for (name, enforced) in quantities(item["min"]).sorted(by: { $0.key < $1.key }) {
                let request = subject.requests[name], limit = subject.limits[name]
                if request == nil {
                    errors.append("minimum \(name) usage per \(type) is \(enforced.canonical).  No request is specified")
                } else if let request, request < enforced {
                    errors.append("minimum \(name) usage per \(type) is \(enforced.canonical), but request is \(request.canonical)")
                } else if let limit, limit < enforced {
                    errors.append("minimum \(name) usage per \(type) is \(enforced.canonical), but limit is \(limit.canonical)")
                }
            }
            for (name, enforced) in quantities(item["max"]).sorted(by: { $0.key < $1.key }) {
                let request = subject.requests[name], limit = subject.limits[name]
                if limit == nil {
                    errors.append("maximum \(name) usage per \(type) is \(enforced.canonical).  No limit is specified")
                } else if let limit, enforced < limit {
                    errors.append("maximum \(name) usage per \(type) is \(enforced.canonical), but limit is \(limit.canonical)")
                } else if let request, enforced < request {
                    errors.append("maximum \(name) usage per \(type) is \(enforced.canonical), but request is \(request.canonical)")
                }
            }
            for (name, enforced) in quantities(item["maxLimitRequestRatio"]).sorted(by: { $0.key < $1.key }) {
                let request = subject.requests[name].map { $0.scaledValue(-3) } ?? 0
                let limit = subject.limits[name].map { $0.scaledValue(-3) } ?? 0
                if request == 0 {
                    errors.append("\(name) max limit to request ratio per \(type) is \(enforced.canonical), but no request is specified or request is 0")
                } else if limit == 0 {
                    errors.append("\(name) max limit to request ratio per \(type) is \(enforced.canonical), but no limit is specified or limit is 0")
                } else {
                    let ratio = Double(limit) / Double(request)
                    if ratio * 1000 > Double(enforced.scaledValue(-3)) {
                        errors.append("\(name) max limit to request ratio per \(type) is \(enforced.canonical), but provided ratio is \(String(format: "%f", ratio))")
                    }
                }
            }
        }
        return errors
    }

    static func quantities(_ list: JSON?) -> [String: Quantity] {
        var out: [String: Quantity] = [:]
        for (name, value) in list?.objectValue ?? [:] {
            if let quantity = try? Quantity(json: value) { out[name] = quantity }
        }
        return out
    }

    static func resources(_ container: JSON) -> (requests: [String: Quantity], limits: [String: Quantity]) {
        (quantities(container[path: "resources", "requests"]), quantities(container[path: "resources", "limits"]))
    }

    /// A pod's total: its containers' sum, or its largest init container where that is more.
    static func podResources(_ pod: JSON) -> (requests: [String: Quantity], limits: [String: Quantity]) {
        func total(_ key: String) -> [String: Quantity] {
            var sum: [String: Quantity] = [:]
            for container in pod[path: "spec", "containers"]?.arrayValue ?? [] {
                for (name, q) in quantities(container[path: "resources", key]) { sum[name] = sum[name].map { ResourceQuotaUsage.sum($0, q) } ?? q }
            }
            for container in pod[path: "spec", "initContainers"]?.arrayValue ?? [] {
                for (name, q) in quantities(container[path: "resources", key]) where sum[name].map({ $0 < q }) ?? true { sum[name] = q }
            }
            return sum
        }
        return (total("requests"), total("limits"))
    }
}
