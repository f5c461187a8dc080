/// JSON merge patch (RFC 7386, `application/merge-patch+json`) with the behaviour of
/// evanphx/json-patch v4's `MergePatch`, which kube-apiserver uses: objects merge member by member,
/// `null` deletes, anything else replaces; null members of newly added objects are dropped.
public enum JSONMergePatch {
    /// Applies `patch` to `original`. A patch that is not an object replaces the target (RFC 7386);
    /// use `validate` first to reject the bodies upstream refuses.
    public static func apply(_ patch: JSON, to original: JSON) -> JSON {
        guard case .object(let patchObject) = patch else {
            return patch.arrayValue != nil ? JSONTree.pruningNullMembers(patch) : patch
        }
        guard case .object(let target) = original else { return JSONTree.pruningNullMembers(patch) }
        return .object(merge(patchObject, into: target))
    }

    /// The checks kube-apiserver makes on a merge patch body before applying it (patch.go
    /// `applyJSPatch`): with field validation Warn or Strict (the default is Warn) the body must
    /// decode into a map; the library then refuses `null` and scalars with "Invalid JSON Patch".
    public static func validate(_ patch: JSON, decodingStrictly: Bool = true) throws(APIError) {
        switch patch {
        case .object: return
        case .null: throw .badRequest("Invalid JSON Patch")
        case .array where !decodingStrictly: return
        default:
            if decodingStrictly {
                throw .badRequest("error decoding patch: json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
            }
            throw .badRequest("Invalid JSON Patch")
        }
    }

    /// The merge patch that turns `original` into `modified` (evanphx `CreateMergePatch`): changed
    /// and added members, `null` for removed ones, nested objects diffed, arrays replaced whole.
    public static func create(from original: JSON, to modified: JSON) -> JSON {
        guard case .object(let a) = original, case .object(let b) = modified else { return modified }
        return .object(diff(a, b))
    }

    // MARK: - apply

    private struct MergeFrame {
        var target: JSONObject
        let patch: JSONObject
        var next = 0
        let key: String?
    }

    private static func merge(_ patch: JSONObject, into target: JSONObject) -> JSONObject {
        var stack = [MergeFrame(target: target, patch: patch, key: nil)]
        while true {
            let top = stack.count - 1
            if stack[top].next == stack[top].patch.count {
                let done = stack.removeLast()
                guard let key = done.key else { return done.target }
                stack[stack.count - 1].target[key] = .object(done.target)
                continue
            }
            let (key, value) = stack[top].patch.elements[stack[top].next]
            stack[top].next += 1
            if value.isNull {
                stack[top].target.removeValue(forKey: key)
                continue
            }
            switch (stack[top].target[key], value) {
            case (nil, _), (.null?, _):
                stack[top].target[key] = JSONTree.pruningNullMembers(value)
            case (.object(let current)?, .object(let patchObject)):
                stack[top].target[key] = .null  // keep the key's position; the child is written back
                stack.append(MergeFrame(target: current, patch: patchObject, key: key))
            case (.object?, _):
                // evanphx replaces an object with a non-object patch value without pruning it.
                stack[top].target[key] = value
            default:
                stack[top].target[key] = JSONTree.pruningNullMembers(value)
            }
        }
    }

    // MARK: - create

    private struct DiffFrame {
        let original: JSONObject
        let modified: JSONObject
        var next = 0
        var into: JSONObject = [:]
        let key: String?
    }

    private static func diff(_ original: JSONObject, _ modified: JSONObject) -> JSONObject {
        var stack = [DiffFrame(original: original, modified: modified, key: nil)]
        while true {
            let top = stack.count - 1
            if stack[top].next == stack[top].modified.count {
                var done = stack.removeLast()
                for key in done.original.keys where done.modified[key] == nil { done.into[key] = .null }
                guard let key = done.key else { return done.into }
                if !done.into.isEmpty { stack[stack.count - 1].into[key] = .object(done.into) }
                continue
            }
            let (key, b) = stack[top].modified.elements[stack[top].next]
            stack[top].next += 1
            guard let a = stack[top].original[key] else {
                stack[top].into[key] = b
                continue
            }
            if case .object(let ao) = a, case .object(let bo) = b {
                stack.append(DiffFrame(original: ao, modified: bo, key: key))
            } else if !JSONTree.equal(a, b) {
                stack[top].into[key] = b
            }
        }
    }
}
