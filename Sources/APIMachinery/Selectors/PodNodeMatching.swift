import Foundation

/// What the default scheduler and the DaemonSet controller both judge of a pod on a node: its
/// tolerations against the node's taints, and its nodeSelector and required node affinity.
public enum PodNodeMatching {
    /// Upstream's Toleration.ToleratesTaint.
    public static func tolerates(_ toleration: JSON, _ taint: JSON) -> Bool {
        let effect = toleration["effect"]?.stringValue ?? ""
        if !effect.isEmpty, effect != (taint["effect"]?.stringValue ?? "") { return false }
        let key = toleration["key"]?.stringValue ?? ""
        if !key.isEmpty, key != (taint["key"]?.stringValue ?? "") { return false }
        switch toleration["operator"]?.stringValue ?? "" {
        case "Exists": return true
        case "", "Equal": return (toleration["value"]?.stringValue ?? "") == (taint["value"]?.stringValue ?? "")
        default: return false
        }
    }

    /// nodeSelector (every label) and required node affinity (any term; every expression in it).
    public static func matchesNodeSelectorAndAffinity(pod: JSON, node: JSON) -> Bool {
        let labels = node.meta.labels
        for (key, value) in PodView(pod).nodeSelector where labels[key] != value {
            return false
        }
        guard let terms = pod[path: "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                              "nodeSelectorTerms"]?.arrayValue else { return true }
        let name = node.meta.name
        return terms.contains { term in
            let expressions = term["matchExpressions"]?.arrayValue ?? []
            let fields = term["matchFields"]?.arrayValue ?? []
            if expressions.isEmpty && fields.isEmpty { return false }
            return expressions.allSatisfy { matches($0, labels[$0["key"]?.stringValue ?? ""]) }
                && fields.allSatisfy { ($0["key"]?.stringValue == "metadata.name") && matches($0, name) }
        }
    }

    public static func matches(_ requirement: JSON, _ value: String?) -> Bool {
        let values = (requirement["values"]?.arrayValue ?? []).compactMap(\.stringValue)
        switch requirement["operator"]?.stringValue ?? "" {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return value.map { !values.contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt", "Lt":
            guard let value, let have = Int64(value), values.count == 1, let bound = Int64(values[0]) else { return false }
            return requirement["operator"]?.stringValue == "Gt" ? have > bound : have < bound
        default: return false
        }
    }

    /// FindMatchingUntoleratedTaint: the first taint passing `filter` that no toleration tolerates.
    public static func untoleratedTaint(_ taints: [JSON], _ tolerations: [JSON], _ filter: (JSON) -> Bool) -> JSON? {
        taints.first { taint in filter(taint) && !tolerations.contains { tolerates($0, taint) } }
    }
}
