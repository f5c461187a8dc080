import APIMachinery

/// matchPodFailurePolicy (pkg/controller/job/pod_failure_policy.go): the first rule a failed pod
/// matches decides whether its failure fails the Job (FailJob, with upstream's message), is not
/// counted (Ignore) or counts as usual (Count, or no rule).
struct PodFailurePolicy {
    let rules: [JSON]

    init?(_ job: JobView) {
        guard let policy = job.object[path: "spec", "podFailurePolicy"], policy != .null else { return nil }
        rules = policy["rules"]?.arrayValue ?? []
    }

    struct Match {
        var failJobMessage: String?
        var countsAsFailed = true
        /// FailIndex: the pod's index fails at once (backoffLimitPerIndex).
        var failsIndex = false
    }

    func match(_ pod: JobPod) -> Match {
        let status = pod.object["status"] ?? [:]
        for (index, rule) in rules.enumerated() {
            let action = rule["action"]?.stringValue ?? ""
            if let requirement = rule["onExitCodes"], requirement != .null {
                guard let container = Self.matchingContainer(status, requirement) else { continue }
                switch action {
                case "Ignore": return Match(countsAsFailed: false)
                case "Count": return Match()
                case "FailJob":
                    let name = container["name"]?.stringValue ?? ""
                    let code = container[path: "state", "terminated", "exitCode"]?.intValue ?? 0
                    return Match(failJobMessage: "Container \(name) for pod \(pod.object.meta.namespace)/\(pod.name) failed with exit code \(code) matching FailJob rule at index \(index)")
                case "FailIndex": return Match(failsIndex: true)
                default: continue
                }
            } else if let patterns = rule["onPodConditions"]?.arrayValue {
                guard let condition = Self.matchingCondition(status, patterns) else { continue }
                switch action {
                case "Ignore": return Match(countsAsFailed: false)
                case "Count": return Match()
                case "FailJob":
                    let type = condition["type"]?.stringValue ?? ""
                    return Match(failJobMessage: "Pod \(pod.object.meta.namespace)/\(pod.name) has condition \(type) matching FailJob rule at index \(index)")
                case "FailIndex": return Match(failsIndex: true)
                default: continue
                }
            }
        }
        return Match()
    }

    /// The first terminated container (app containers, then init containers) with a non-zero
    /// exit code the requirement matches.
    static func matchingContainer(_ status: JSON, _ requirement: JSON) -> JSON? {
        let name = requirement["containerName"]?.stringValue
        let values = Set((requirement["values"]?.arrayValue ?? []).compactMap(\.intValue))
        let isIn = requirement["operator"]?.stringValue == "In"
        let isNotIn = requirement["operator"]?.stringValue == "NotIn"
        for key in ["containerStatuses", "initContainerStatuses"] {
            for container in status[key]?.arrayValue ?? [] {
                guard let code = container[path: "state", "terminated", "exitCode"]?.intValue, code != 0 else { continue }
                if let name, container["name"]?.stringValue != name { continue }
                if (isIn && values.contains(code)) || (isNotIn && !values.contains(code)) { return container }
            }
        }
        return nil
    }

    static func matchingCondition(_ status: JSON, _ patterns: [JSON]) -> JSON? {
        for condition in status["conditions"]?.arrayValue ?? [] {
            for pattern in patterns where condition["type"] == pattern["type"] && condition["status"] == pattern["status"] {
                return condition
            }
        }
        return nil
    }
}
