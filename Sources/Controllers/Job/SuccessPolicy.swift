import APIMachinery

/// matchSuccessPolicy (pkg/controller/job/success_policy.go): an Indexed Job succeeds early once
/// the first rule is met: all of its succeededIndexes (or succeededCount of them) completed, or
/// succeededCount indexes completed at all.
enum SuccessPolicy {
    static func match(_ job: JobView, completed: Set<Int>) -> String? {
        guard job.isIndexed, let rules = job.object[path: "spec", "successPolicy", "rules"]?.arrayValue, !completed.isEmpty else { return nil }
        let completions = job.completions ?? 0
        for (index, rule) in rules.enumerated() {
            let count = rule["succeededCount"]?.intValue.map(Int.init)
            if let text = rule["succeededIndexes"]?.stringValue {
                let required = CompletedIndexes.parse(text).filter { $0 < completions }
                if required.isEmpty { continue }
                let met = required.intersection(completed).count
                if met >= (count ?? required.count) { return "Matched rules at index \(index)" }
            } else if let count, completed.count >= count {
                return "Matched rules at index \(index)"
            }
        }
        return nil
    }
}
