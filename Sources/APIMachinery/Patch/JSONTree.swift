/// Whole-tree walks over `JSON` done with an explicit stack, so patch handling never recurses as
/// deep as a document may nest (the parser admits 10,000 levels, more than a thread stack holds).
enum JSONTree {
    /// Rebuilds `value` bottom-up. `object` sees each object after its members were rebuilt and may
    /// return nil to drop it from its parent (object member or array element); `array` likewise.
    static func rebuild(_ value: JSON, object: (JSONObject) -> JSON?, array: ([JSON]) -> JSON? = { .array($0) }) -> JSON? {
        struct Frame {
            var keys: [String]?
            var children: [JSON]
            var next = 0
            var done: [JSON?] = []
        }
        func frame(for value: JSON) -> Frame? {
            switch value {
            case .object(let o): return Frame(keys: Array(o.keys), children: Array(o.values))
            case .array(let a): return Frame(keys: nil, children: a)
            default: return nil
            }
        }
        guard let root = frame(for: value) else { return value }
        var stack = [root]
        while true {
            let top = stack.count - 1
            if stack[top].next < stack[top].children.count {
                let child = stack[top].children[stack[top].next]
                stack[top].next += 1
                if let f = frame(for: child) { stack.append(f) } else { stack[top].done.append(child) }
                continue
            }
            let finished = stack.removeLast()
            let built: JSON?
            if let keys = finished.keys {
                var o = JSONObject(minimumCapacity: keys.count)
                for (k, v) in zip(keys, finished.done) { if let v { o[k] = v } }
                built = object(o)
            } else {
                built = array(finished.done.compactMap { $0 })
            }
            if stack.isEmpty { return built }
            stack[stack.count - 1].done.append(built)
        }
    }

    /// Deep equality with object members compared as unordered sets, as Go compares decoded maps.
    /// Integers and floating-point numbers stay distinct, as they do for Go's `int64`/`float64`.
    static func equal(_ a: JSON, _ b: JSON) -> Bool {
        var pending: [(JSON, JSON)] = [(a, b)]
        while let (x, y) = pending.popLast() {
            switch (x, y) {
            case (.object(let l), .object(let r)):
                guard l.count == r.count else { return false }
                for (k, v) in l {
                    guard let w = r[k] else { return false }
                    pending.append((v, w))
                }
            case (.array(let l), .array(let r)):
                guard l.count == r.count else { return false }
                for i in l.indices { pending.append((l[i], r[i])) }
            case (.object, _), (.array, _), (_, .object), (_, .array):
                return false
            default:
                if x != y { return false }
            }
        }
        return true
    }

    /// Nesting depth: 0 for a scalar, 1 for an empty or flat container, and so on.
    static func depth(_ value: JSON) -> Int {
        var deepest = 0
        var pending: [(JSON, Int)] = [(value, 0)]
        while let (v, d) = pending.popLast() {
            switch v {
            case .object(let o):
                deepest = max(deepest, d + 1)
                for child in o.values { pending.append((child, d + 1)) }
            case .array(let a):
                deepest = max(deepest, d + 1)
                for child in a { pending.append((child, d + 1)) }
            default: break
            }
        }
        return deepest
    }

    /// Drops every `null` object member at any depth; nulls inside arrays stay (evanphx/json-patch's
    /// pruneNulls, and strategicpatch's discardNullValuesFromPatch).
    static func pruningNullMembers(_ value: JSON) -> JSON {
        rebuild(value, object: { .object($0.filter { !$0.value.isNull }) }) ?? value
    }
}
