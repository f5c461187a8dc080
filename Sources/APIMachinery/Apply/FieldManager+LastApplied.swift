/// kubectl's move from client-side to server-side apply, as upstream's lastAppliedManager and
/// lastAppliedUpdater serve it: an apply by the `kubectl` manager may take, without `--force-conflicts`,
/// the fields the `kubectl.kubernetes.io/last-applied-configuration` annotation still describes (they
/// were kubectl's, through client-side apply), and keeps that annotation in step with what it applies,
/// so a later client-side apply computes its patch from the right base.
extension FieldManager {
    public static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"
    /// The only manager these rules are for; another name opts out, as upstream.
    static let kubectlManager = "kubectl"

    func applyMigratingLastApplied(live: JSON, config: JSON, manager: String, force: Bool, now: String) throws(ApplyFailure) -> ApplyResult {
        var result: ApplyResult
        do {
            result = try merge(live: live, config: config, manager: manager, force: force, now: now)
        } catch {
            guard manager == Self.kubectlManager, case .conflicts(let conflicts) = error,
                  let allowed = allowedConflictsFromLastApplied(live) else { throw error }
            let remaining = conflicts.filter { !allowed.contains($0.path) }
            if !remaining.isEmpty { throw .conflicts(remaining) }
            result = try merge(live: live, config: config, manager: manager, force: true, now: now)
        }
        guard manager == Self.kubectlManager, let current = Self.lastApplied(live) else { return result }
        // `buildLastApplied`: the applied configuration without the annotation, as Go encodes a map.
        var applied = config
        if var annotations = applied[path: "metadata", "annotations"]?.objectValue {
            annotations[Self.lastAppliedAnnotation] = nil
            applied[path: "metadata", "annotations"] = annotations.isEmpty ? JSON?.none : .object(annotations)
        }
        let text = JSONWriter.encodeString(Self.sortedKeys(applied)) + "\n"
        if text == current { return result }
        switch result {
        case .applied(var object), .unchanged(var object):
            object[path: "metadata", "annotations", Self.lastAppliedAnnotation] = .string(text)
            return .applied(object)
        }
    }

    static func lastApplied(_ object: JSON) -> String? {
        guard let text = object[path: "metadata", "annotations", lastAppliedAnnotation]?.stringValue, !text.isEmpty else { return nil }
        return text
    }

    /// Fields the annotation sets to the value they still have: kubectl's by client-side apply.
    func allowedConflictsFromLastApplied(_ live: JSON) -> FieldSet? {
        guard let text = Self.lastApplied(live), let lastApplied = try? JSONParser.parse(text).value,
              lastApplied["apiVersion"]?.stringValue == apiVersion else { return nil }
        var base = live
        base[path: "metadata", "managedFields"] = nil
        guard let set = try? types.fieldSet(lastApplied), let comparison = try? types.compare(lastApplied, base) else { return nil }
        return set.subtracting(comparison.modified).subtracting(comparison.added).subtracting(comparison.removed)
    }

    /// Go's `json.Marshal` of a map orders keys.
    static func sortedKeys(_ value: JSON) -> JSON {
        switch value {
        case .object(let o):
            var sorted = JSONObject()
            for key in o.keys.sorted() { sorted[key] = sortedKeys(o[key]!) }
            return .object(sorted)
        case .array(let a): return .array(a.map(sortedKeys))
        default: return value
        }
    }
}
