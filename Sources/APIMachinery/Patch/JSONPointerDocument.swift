/// A document being edited by JSON patch operations, addressed the way evanphx/json-patch v4
/// resolves paths (`findObject`): the path is split on "/", the first segment is ignored, the
/// middle ones must lead through existing non-null objects and arrays, and the last one names the
/// member or index inside that container. Edits happen in place without recursion.
struct JSONPointerDocument {
    var root: JSON

    enum Step { case key(String), index(Int) }

    /// A resolved parent: the steps from the root to the container, and the final token (decoded).
    struct Location {
        var steps: [Step]
        var key: String
    }

    /// RFC 6901 unescaping in one left-to-right pass, as Go's strings.NewReplacer("~1", "/", "~0", "~").
    static func decode(_ token: Substring) -> String {
        guard token.contains("~") else { return String(token) }
        var out = ""
        var i = token.startIndex
        while i < token.endIndex {
            let c = token[i]
            let n = token.index(after: i)
            if c == "~", n < token.endIndex, token[n] == "1" || token[n] == "0" {
                out.append(token[n] == "1" ? "/" : "~")
                i = token.index(after: n)
            } else {
                out.append(c)
                i = n
            }
        }
        return out
    }

    /// Go's strconv.Atoi followed by v4's negative-index rule (`-1` is the last element).
    static func arrayIndex(_ key: String, count: Int) -> Int? {
        guard var idx = Int(key) else { return nil }
        if idx < 0 {
            guard idx >= -count else { return nil }
            idx += count
        }
        return idx < count ? idx : nil
    }

    func locate(_ path: String) -> Location? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        var steps: [Step] = []
        var current = root
        for part in parts[1..<(parts.count - 1)] {
            let token = Self.decode(part)
            let next: JSON?
            switch current {
            case .object(let o):
                next = o[token]
                steps.append(.key(token))
            case .array(let a):
                guard let idx = Self.arrayIndex(token, count: a.count) else { return nil }
                next = a[idx]
                steps.append(.index(idx))
            default:
                return nil
            }
            guard let next, next.objectValue != nil || next.arrayValue != nil else { return nil }
            current = next
        }
        return Location(steps: steps, key: Self.decode(parts[parts.count - 1]))
    }

    func container(at steps: [Step]) -> JSON {
        var current = root
        for step in steps {
            switch (step, current) {
            case (.key(let k), .object(let o)): current = o[k] ?? .null
            case (.index(let i), .array(let a)): current = a[i]
            default: return .null
            }
        }
        return current
    }

    /// Runs `body` on the container at `steps`, moving each level out of its parent first so the
    /// container's storage is uniquely referenced and edited in place, then writes the levels back.
    mutating func edit<R>(at steps: [Step], _ body: (inout JSON) throws(JSONPatch.Failure) -> R) throws(JSONPatch.Failure) -> R {
        var parents: [JSON] = []
        parents.reserveCapacity(steps.count)
        var current = root
        root = .null
        for step in steps {
            var parent = current
            current = .null
            switch (step, parent) {
            case (.key(let k), .object(var o)):
                parent = .null
                current = o[k] ?? .null
                o[k] = .null
                parent = .object(o)
            case (.index(let i), .array(var a)):
                parent = .null
                current = a[i]
                a[i] = .null
                parent = .array(a)
            default:
                break
            }
            parents.append(parent)
        }
        let result: R
        do {
            result = try body(&current)
        } catch {
            restore(current, into: &parents, steps: steps)
            throw error
        }
        restore(current, into: &parents, steps: steps)
        return result
    }

    private mutating func restore(_ leaf: JSON, into parents: inout [JSON], steps: [Step]) {
        var current = leaf
        for step in steps.reversed() {
            var p = parents.removeLast()
            switch (step, p) {
            case (.key(let k), .object(var o)):
                p = .null
                o[k] = current
                p = .object(o)
            case (.index(let i), .array(var a)):
                p = .null
                a[i] = current
                p = .array(a)
            default:
                break
            }
            current = p
        }
        root = current
    }
}
