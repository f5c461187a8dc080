import APIMachinery

/// Upstream's continue token (k8s.io/apiserver/pkg/storage/continue.go): unpadded base64url of
/// `{"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key after the list's prefix>\u0000"}`.
/// The revision pins the snapshot the next page is read at; -1 means the newest (what upstream hands
/// out once a snapshot has left the history).
public struct ContinueToken: Sendable, Equatable {
    public var revision: Int64
    /// The key to resume at, relative to the list's prefix: `name\0` within one namespace or for
    /// cluster-scoped resources, `namespace/name\0` across namespaces.
    public var start: String

    public init(revision: Int64, start: String) { self.revision = revision; self.start = start }

    /// A token resuming just after `key` in a list of `namespace` (nil: all namespaces).
    public init(revision: Int64, after key: StorageKey, namespace: String?) {
        self.revision = revision
        let relative = namespace == nil && !key.namespace.isEmpty ? "\(key.namespace)/\(key.name)" : key.name
        start = relative + "\u{0}"
    }

    /// A decoding failure, with upstream's text (the handler prefixes "invalid continue token: ").
    public struct Invalid: Error, Sendable, Equatable { public let message: String }

    public var encoded: String {
        let json: JSON = ["v": "meta.k8s.io/v1", "rv": .int(revision), "start": .string(start)]
        return Base64URL.encode(JSONWriter.encode(json))
    }

    public static func decode(_ text: String) throws(Invalid) -> ContinueToken {
        let generic = "continue key is not valid"
        let data: [UInt8]
        switch Base64URL.decode(text) {
        case .success(let bytes): data = bytes
        case .failure(let offset): throw Invalid(message: "\(generic): illegal base64 data at input byte \(offset)")
        }
        let value: JSON
        do { value = try JSONParser.parse(data).value } catch { throw Invalid(message: "\(generic): \(error.message)") }
        guard case .object(let fields) = value else {
            if value.isNull { return try validated(version: "", revision: 0, start: "") }
            throw Invalid(message: "\(generic): json: cannot unmarshal \(value.typeName) into Go value of type storage.continueToken")
        }
        var version = "", revision: Int64 = 0, start = ""
        for (name, field) in fields {
            func mismatch(_ goType: String) -> Invalid {
                Invalid(message: "\(generic): json: cannot unmarshal \(field.typeName) into Go struct field continueToken.\(name) of type \(goType)")
            }
            switch name {
            case "v":
                if case .string(let s) = field { version = s } else if !field.isNull { throw mismatch("string") }
            case "rv":
                if case .int(let i) = field { revision = i } else if !field.isNull { throw mismatch("int64") }
            case "start":
                if case .string(let s) = field { start = s } else if !field.isNull { throw mismatch("string") }
            default:
                continue
            }
        }
        return try validated(version: version, revision: revision, start: start)
    }

    private static func validated(version: String, revision: Int64, start: String) throws(Invalid) -> ContinueToken {
        guard version == "meta.k8s.io/v1" else {
            throw Invalid(message: "continue key is not valid: server does not recognize this encoded version \(version)")
        }
        if revision == 0 {
            throw Invalid(message: "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        if start.isEmpty { throw Invalid(message: "continue key is not valid: encoded start key empty (version meta.k8s.io/v1)") }
        // Upstream refuses keys that path.Clean would change, so a token cannot reach outside the list's prefix.
        let rooted = start.hasPrefix("/") ? start : "/" + start
        let segments = rooted.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if rooted != "/", segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            throw Invalid(message: "continue key is not valid: \(start)")
        }
        return ContinueToken(revision: revision, start: String(rooted.dropFirst()))
    }

    /// Where the next page starts in a list of `resource` in `namespace` (nil: all namespaces, or a
    /// cluster-scoped resource when `namespaced` is false).
    public func from(resource: String, namespace: String?, namespaced: Bool) -> StorageKey {
        if let namespace { return StorageKey(resource: resource, namespace: namespace, name: start) }
        guard namespaced else { return StorageKey(resource: resource, namespace: "", name: start) }
        guard let slash = start.firstIndex(of: "/") else {
            // A bare namespace: everything in it and after it.
            return StorageKey(resource: resource, namespace: start, name: "")
        }
        return StorageKey(resource: resource, namespace: String(start[..<slash]), name: String(start[start.index(after: slash)...]))
    }
}
