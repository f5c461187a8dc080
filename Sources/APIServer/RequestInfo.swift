/// What a request addresses, parsed from its path and method as upstream's RequestInfoFactory does:
/// `/api/v1/namespaces/default/pods/web-0/status` → group "", version v1, namespace default,
/// resource pods, name web-0, subresource status.
public struct RequestInfo: Sendable, Equatable {
    public var isResourceRequest = false
    public var verb = ""
    public var group = ""
    public var version = ""
    public var namespace: String?
    public var resource = ""
    public var name = ""
    public var subresource = ""
    /// The path segments after the group/version, for errors on unknown shapes.
    public var extraParts: [String] = []

    /// Subresources of namespaces, which stay on the namespaces resource rather than naming a resource.
    static let namespaceSubresources: Set<String> = ["status", "finalize"]

    public init() {}

    /// Parses a resource path; nil for paths outside /api and /apis (discovery and the like are
    /// handled before this as non-resource requests).
    public init?(method: String, path: String, isWatch: Bool) {
        // Split on bytes: "/" is ASCII, and a split by Characters cost more than the rest of routing.
        var parts = path.utf8.split(separator: UInt8(ascii: "/")).map { String(Substring($0)) }
        guard let prefix = parts.first else { return nil }
        parts.removeFirst()
        switch prefix {
        case "api":
            guard parts.count >= 2 else { return nil }
            version = parts.removeFirst()
        case "apis":
            guard parts.count >= 3 else { return nil }
            group = parts.removeFirst()
            version = parts.removeFirst()
        default:
            return nil
        }
        isResourceRequest = true
        var watchPath = false
        if parts.first == "watch" {
            watchPath = true
            parts.removeFirst()
        }
        guard !parts.isEmpty else { return nil }
        if parts[0] == "namespaces" {
            if parts.count > 1 {
                namespace = parts[1]
                if parts.count > 2, !Self.namespaceSubresources.contains(parts[2]) {
                    parts.removeFirst(2)
                }
            }
        }
        resource = parts[0]
        if parts.count > 1 { name = parts[1] }
        if parts.count > 2 { subresource = parts[2] }
        if parts.count > 3 { extraParts = Array(parts[3...]) }

        switch method {
        case "GET", "HEAD":
            if watchPath || isWatch { verb = "watch" } else { verb = name.isEmpty ? "list" : "get" }
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = name.isEmpty ? "deletecollection" : "delete"
        default: verb = method.lowercased()
        }
    }
}
