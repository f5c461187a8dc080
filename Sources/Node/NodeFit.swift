import APIMachinery
import ControllerRuntime

/// The default scheduler's filters, in upstream's plugin order (NodeUnschedulable,
/// TaintToleration, NodeAffinity, NodeResourcesFit). A node is judged by the first filter that
/// rejects it, and the reasons carry upstream's wording, which the FailedScheduling message counts.
enum NodeFit {
    struct Rejection: Equatable {
        var reasons: [String]
        /// Upstream's UnschedulableAndUnresolvable: preemption cannot help on this node.
        var unresolvable: Bool
    }

    /// Resource amounts: cpu in millicores, everything else in whole units.
    typealias Resources = [String: Int64]

    /// `requested` is the pod's `requests(of:)` and `allocatable` the node's, when the caller has them.
    static func check(pod: JSON, node: JSON, used: Resources, podCount: Int,
                      requested: Resources? = nil, allocatable: Resources? = nil) -> Rejection? {
        let tolerations = PodView(pod).tolerations
        if NodeView(node).unschedulable {
            let taint: JSON = ["key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"]
            if !tolerations.contains(where: { tolerates($0, taint) }) {
                return Rejection(reasons: ["node(s) were unschedulable"], unresolvable: true)
            }
        }
        for taint in NodeView(node).taints {
            let effect = taint["effect"]?.stringValue ?? ""
            guard effect == "NoSchedule" || effect == "NoExecute" else { continue }
            if !tolerations.contains(where: { tolerates($0, taint) }) {
                let key = taint["key"]?.stringValue ?? "", value = taint["value"]?.stringValue ?? ""
                return Rejection(reasons: ["node(s) had untolerated taint {\(key): \(value)}"], unresolvable: true)
            }
        }
        if !matchesAffinity(pod: pod, node: node) {
            return Rejection(reasons: ["node(s) didn't match Pod's node affinity/selector"], unresolvable: true)
        }
        var reasons: [String] = []
        let allocatable = allocatable ?? quantities(NodeView(node).allocatable)
        if let maxPods = allocatable["pods"], Int64(podCount + 1) > maxPods { reasons.append("Too many pods") }
        let requested = requested ?? requests(of: pod)
        for name in requested.keys.sorted(by: resourceOrder) where name != "pods" {
            let want = requested[name] ?? 0
            guard want > 0 else { continue }
            if want + used[name, default: 0] > allocatable[name, default: 0] { reasons.append("Insufficient \(name)") }
        }
        return reasons.isEmpty ? nil : Rejection(reasons: reasons, unresolvable: false)
    }

    /// cpu and memory first, as upstream's fitsRequest reports them, then the rest by name.
    static func resourceOrder(_ a: String, _ b: String) -> Bool {
        let rank = ["cpu": 0, "memory": 1, "ephemeral-storage": 2]
        return (rank[a] ?? 3, a) < (rank[b] ?? 3, b)
    }

    static func tolerates(_ toleration: JSON, _ taint: JSON) -> Bool { PodNodeMatching.tolerates(toleration, taint) }

    static func matchesAffinity(pod: JSON, node: JSON) -> Bool { PodNodeMatching.matchesNodeSelectorAndAffinity(pod: pod, node: node) }

    /// A pod's effective requests (upstream's resource.PodRequests without overhead): the larger of
    /// the sum over app containers and each init container; sidecars (init containers that keep
    /// running) add to both.
    static func requests(of pod: JSON) -> Resources {
        var total: Resources = [:]
        let view = PodView(pod)
        for c in view.containers { add(&total, quantities(c.resourceRequests)) }
        var sidecars: Resources = [:]
        var peaks: Resources = [:]
        for c in view.initContainers {
            let r = quantities(c.resourceRequests)
            if c.isSidecar {
                add(&sidecars, r)
                continue
            }
            var peak = sidecars
            add(&peak, r)
            for (k, v) in peak where v > peaks[k, default: 0] { peaks[k] = v }
        }
        add(&total, sidecars)
        for (k, v) in peaks where v > total[k, default: 0] { total[k] = v }
        return total
    }

    static func add(_ into: inout Resources, _ more: Resources) {
        for (k, v) in more { into[k, default: 0] += v }
    }

    static func quantities(_ list: JSON?) -> Resources {
        var out: Resources = [:]
        for (name, value) in list?.objectValue ?? [:] {
            guard let q = try? Quantity(json: value) else { continue }
            out[name] = name == "cpu" ? q.milliValue : q.int64Value
        }
        return out
    }
}
