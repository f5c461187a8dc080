import APIMachinery

/// What pkg/controller/daemon/util does to a DaemonSet's template before it becomes a pod: the
/// tolerations every daemon pod has, the template generation and revision hash labels, and the
/// node pinned through required node affinity (the default scheduler then binds it there).
enum DaemonPods {
    static let hashLabel = "controller-revision-hash"
    static let templateGenerationLabel = "pod-template-generation"

    /// AddOrUpdateDaemonPodTolerations: daemon pods stay through node problems and on cordoned nodes.
    static func tolerations(hostNetwork: Bool) -> [JSON] {
        var list: [JSON] = [
            ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"],
            ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"],
            ["key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"],
            ["key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"],
            ["key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"],
            ["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"],
        ]
        if hostNetwork { list.append(["key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"]) }
        return list
    }

    /// AddOrUpdateTolerationInPodSpec for each: one equal in key, operator, value and effect is
    /// replaced, any other added.
    static func withDaemonTolerations(_ spec: JSON) -> JSON {
        var spec = spec
        var existing = spec["tolerations"]?.arrayValue ?? []
        for toleration in tolerations(hostNetwork: spec["hostNetwork"]?.boolValue ?? false) {
            let same = { (t: JSON) in
                ["key", "operator", "value", "effect"].allSatisfy { (t[$0]?.stringValue ?? "") == (toleration[$0]?.stringValue ?? "") }
            }
            if let i = existing.firstIndex(where: same) { existing[i] = toleration } else { existing.append(toleration) }
        }
        spec["tolerations"] = .array(existing)
        return spec
    }

    /// CreatePodTemplate plus ReplaceDaemonSetPodNodeNameNodeAffinity: the pod for `node`, named
    /// `<set>-` plus a random suffix, controlled by the set.
    static func pod(for set: DaemonSetView, node: String, hash: String) -> JSON {
        var template = set.template
        template["spec"] = withDaemonTolerations(template["spec"] ?? [:])
        var labels = template[path: "metadata", "labels"]?.objectValue ?? [:]
        labels[templateGenerationLabel] = .string(String(set.templateGeneration ?? 0))
        labels[hashLabel] = .string(hash)
        template[path: "metadata", "labels"] = .object(labels)
        let term: JSON = ["matchFields": [["key": "metadata.name", "operator": "In", "values": [.string(node)]]]]
        // Replaces any required terms: the daemon pod belongs to this node only.
        template[path: "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"] = ["nodeSelectorTerms": [term]]
        return PodTemplate.pod(from: template, owner: set.object, kind: .daemonSet)
    }

    /// GetTargetNodeName: the node a daemon pod is bound to, or (not yet scheduled) pinned to.
    static func targetNode(_ pod: JSON) -> String? {
        let view = PodView(pod)
        if view.isScheduled { return view.nodeName }
        let terms = pod[path: "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]?.arrayValue ?? []
        for term in terms {
            for field in term["matchFields"]?.arrayValue ?? [] where field["key"]?.stringValue == "metadata.name" {
                if let values = field["values"]?.arrayValue, values.count == 1 { return values[0].stringValue }
            }
        }
        return nil
    }

    /// NodeShouldRunDaemonPod: whether a daemon pod should be placed on the node, and whether one
    /// already there may keep running (it may while it tolerates the node's NoExecute taints).
    static func shouldRun(_ set: DaemonSetView, on node: JSON) -> (shouldRun: Bool, shouldContinueRunning: Bool) {
        let templateNode = set.template[path: "spec", "nodeName"]?.stringValue ?? ""
        if !templateNode.isEmpty && templateNode != node.meta.name { return (false, false) }
        let pod = pod(for: set, node: node.meta.name, hash: "")
        guard PodNodeMatching.matchesNodeSelectorAndAffinity(pod: pod, node: node) else { return (false, false) }
        let taints = NodeView(node).taints
        let tolerations = PodView(pod).tolerations
        let blocking = PodNodeMatching.untoleratedTaint(taints, tolerations) {
            let effect = $0["effect"]?.stringValue
            return effect == "NoSchedule" || effect == "NoExecute"
        }
        if blocking == nil { return (true, true) }
        let evicting = PodNodeMatching.untoleratedTaint(taints, tolerations) { $0["effect"]?.stringValue == "NoExecute" }
        return (false, evicting == nil)
    }

    /// IsPodUpdated: the pod carries the current revision's hash, or the current template generation.
    static func isUpdated(_ pod: JSON, hash: String, templateGeneration: Int64?) -> Bool {
        let labels = pod.meta.labels
        if let templateGeneration, labels[templateGenerationLabel] == String(templateGeneration) { return true }
        return !hash.isEmpty && labels[hashLabel] == hash
    }

    /// podByCreationTimestampAndPhase: scheduled pods first, then the oldest, then by name.
    static func oldestFirst(_ a: JSON, _ b: JSON) -> Bool {
        let sa = PodView(a).isScheduled, sb = PodView(b).isScheduled
        if sa != sb { return sa }
        let ta = a.meta.creationTimestamp ?? "", tb = b.meta.creationTimestamp ?? ""
        if ta != tb { return ta < tb }
        return a.meta.name < b.meta.name
    }
}
