/// The six operations with evanphx/json-patch v4's semantics and error wording.
extension JSONPointerDocument {
    private typealias Failure = JSONPatch.Failure

    private static func fail(_ message: String) -> Failure { Failure(message: message) }

    mutating func apply(_ op: JSONPatchOperation) throws(JSONPatch.Failure) {
        switch op.kind {
        case "add":
            let path = try op.string("path", operation: "add")
            guard let at = locate(path) else {
                throw Self.fail("add operation does not apply: doc is missing path: \"\(path)\": missing value")
            }
            let value = op.value ?? .null
            try edit(at: at.steps) { (c) throws(Failure) in
                try Self.add(value, to: &c, key: at.key, context: "error in add for path: '\(path)'")
            }
        case "remove":
            let path = try op.string("path", operation: "remove")
            guard let at = locate(path) else {
                throw Self.fail("remove operation does not apply: doc is missing path: \"\(path)\": missing value")
            }
            _ = try edit(at: at.steps) { (c) throws(Failure) in
                try Self.remove(from: &c, key: at.key, context: "error in remove for path: '\(path)'")
            }
        case "replace":
            try replace(op)
        case "move":
            let from = try op.string("from", operation: "move")
            guard let source = locate(from) else {
                throw Self.fail("move operation does not apply: doc is missing from path: \(from): missing value")
            }
            let value = try edit(at: source.steps) { (c) throws(Failure) -> JSON in
                let context = "error in move for path: '\(source.key)'"
                let v = try Self.get(c, key: source.key, context: context)
                _ = try Self.remove(from: &c, key: source.key, context: context)
                return v ?? .null
            }
            let path = try op.string("path", operation: "move")
            guard let target = locate(path) else {
                throw Self.fail("move operation does not apply: doc is missing destination path: \(path): missing value")
            }
            try edit(at: target.steps) { (c) throws(Failure) in
                try Self.add(value, to: &c, key: target.key, context: "error in move for path: '\(path)'")
            }
        case "copy":
            let from = try op.string("from", operation: "copy")
            guard let source = locate(from) else {
                throw Self.fail("copy operation does not apply: doc is missing from path: \(from): missing value")
            }
            let value = try Self.get(container(at: source.steps), key: source.key, context: "error in copy for from: '\(from)'")
            let path = try op.string("path", operation: "copy")
            guard let target = locate(path) else {
                throw Self.fail("copy operation does not apply: doc is missing destination path: \(path): missing value")
            }
            try edit(at: target.steps) { (c) throws(Failure) in
                try Self.add(value ?? .null, to: &c, key: target.key, context: "error while adding value during copy")
            }
        case "test":
            try test(op)
        default:
            throw Self.fail("Unexpected kind: \(op.kind)")
        }
    }

    private mutating func replace(_ op: JSONPatchOperation) throws(Failure) {
        let path = try op.string("path", operation: "replace")
        if path.isEmpty {
            // v4 wraps a nil error here, so a scalar value is silently ignored.
            if let v = op.value, v.objectValue != nil || v.arrayValue != nil { root = v }
            return
        }
        guard let at = locate(path) else {
            throw Self.fail("replace operation does not apply: doc is missing path: \(path): missing value")
        }
        let value = op.value ?? .null
        try edit(at: at.steps) { (c) throws(Failure) in
            do {
                _ = try Self.get(c, key: at.key, context: "")
            } catch {
                throw Self.fail("replace operation does not apply: doc is missing key: \(path): missing value")
            }
            Self.set(value, in: &c, key: at.key)
        }
    }

    private func test(_ op: JSONPatchOperation) throws(Failure) {
        let path = try op.string("path", operation: "test")
        let failed = Self.fail("testing value \(path) failed: test failed")
        if path.isEmpty {
            guard let expected = op.value, JSONTree.equal(root, expected) else { throw failed }
            return
        }
        guard let at = locate(path) else {
            throw Self.fail("test operation does not apply: is missing path: \(path): missing value")
        }
        let actual = try Self.get(container(at: at.steps), key: at.key, context: "error in test for path: '\(path)'")
        guard let actual, !actual.isNull else {
            if op.value == nil || op.value == .null { return }
            throw failed
        }
        guard let expected = op.value, JSONTree.equal(actual, expected) else { throw failed }
    }

    // MARK: - container primitives (partialDoc / partialArray)

    private static func atoi(_ key: String, context: String) throws(Failure) -> Int {
        guard let i = Int(key) else {
            throw fail("\(context): strconv.Atoi: parsing \"\(key)\": invalid syntax")
        }
        return i
    }

    private static func invalidIndex(_ i: Int, _ context: String) -> Failure {
        fail("\(context): Unable to access invalid index: \(i): invalid index referenced")
    }

    private static func get(_ container: JSON, key: String, context: String) throws(Failure) -> JSON? {
        switch container {
        case .object(let o): return o[key]
        case .array(let a):
            let raw = try atoi(key, context: context)
            guard let idx = arrayIndex(key, count: a.count) else { throw invalidIndex(raw, context) }
            return a[idx]
        default:
            throw fail("\(context): unknown object type")
        }
    }

    private static func set(_ value: JSON, in container: inout JSON, key: String) {
        switch container {
        case .object(var o):
            container = .null
            o[key] = value
            container = .object(o)
        case .array(var a):
            guard let idx = arrayIndex(key, count: a.count) else { return }
            container = .null
            a[idx] = value
            container = .array(a)
        default:
            break
        }
    }

    private static func add(_ value: JSON, to container: inout JSON, key: String, context: String) throws(Failure) {
        switch container {
        case .object(var o):
            container = .null
            o[key] = value
            container = .object(o)
        case .array(var a):
            var idx: Int
            if key == "-" {
                idx = a.count
            } else {
                guard let i = Int(key) else {
                    throw fail("\(context): value was not a proper array index: '\(key)': strconv.Atoi: parsing \"\(key)\": invalid syntax")
                }
                idx = i
                let size = a.count + 1
                if idx >= size || idx < -size { throw invalidIndex(i, context) }
                if idx < 0 { idx += size }
            }
            container = .null
            a.insert(value, at: idx)
            container = .array(a)
        default:
            throw fail("\(context): unknown object type")
        }
    }

    private static func remove(from container: inout JSON, key: String, context: String) throws(Failure) -> JSON {
        switch container {
        case .object(var o):
            guard o[key] != nil else {
                throw fail("\(context): Unable to remove nonexistent key: \(key): missing value")
            }
            container = .null
            let removed = o.removeValue(forKey: key) ?? .null
            container = .object(o)
            return removed
        case .array(var a):
            let raw = try atoi(key, context: context)
            guard let idx = arrayIndex(key, count: a.count) else { throw invalidIndex(raw, context) }
            container = .null
            let removed = a.remove(at: idx)
            container = .array(a)
            return removed
        default:
            throw fail("\(context): unknown object type")
        }
    }
}
