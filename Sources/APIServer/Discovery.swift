import APIMachinery
import HTTPServer

/// Discovery documents, built once at start: the legacy documents (/api, /api/v1, /apis,
/// /apis/<group>, /apis/<group>/<version>) and aggregated discovery (apidiscovery.k8s.io/v2) that
/// kubectl 1.32 asks for first.
struct Discovery: Sendable {
    let resources: [APIResource]
    /// Group names in order of first appearance ("" for core).
    let groups: [String]

    init(resources: [APIResource]) {
        self.resources = resources
        var seen: [String] = []
        for r in resources where !seen.contains(r.group) { seen.append(r.group) }
        groups = seen
    }

    func serveRoot(_ path: String, request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: false, allowDiscovery: true)
        let core = path == "/api"
        if case .discovery(let version) = format {
            let items = (core ? [""] : groups.filter { !$0.isEmpty }).map { aggregatedGroup($0) }
            let list: JSON = [
                "kind": "APIGroupDiscoveryList", "apiVersion": .string("apidiscovery.k8s.io/\(version)"),
                "metadata": .object([:]), "items": .array(items),
            ]
            return Responses.json(JSONWriter.encode(list), contentType: format.contentType)
        }
        if core {
            let versions: JSON = [
                "kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(request.header("host") ?? "")]],
            ]
            return Responses.encode(versions, bytes: nil, format: format)
        }
        let list: JSON = ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.filter { !$0.isEmpty }.map(apiGroup))]
        return Responses.encode(list, bytes: nil, format: format)
    }

    /// /api/v1, /apis/<group>, /apis/<group>/<version>.
    func serveGroupPath(_ path: String, request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let parts = path.splitASCII("/", omittingEmptySubsequences: true).map(String.init)
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: false)
        if parts.count == 2, parts[0] == "api", parts[1] == "v1" {
            return Responses.encode(resourceList(group: ""), bytes: nil, format: format)
        }
        if parts.count == 2, parts[0] == "apis", groups.contains(parts[1]), !parts[1].isEmpty {
            var group = apiGroup(parts[1])
            group["kind"] = "APIGroup"
            group["apiVersion"] = "v1"
            return Responses.encode(group, bytes: nil, format: format)
        }
        if parts.count == 3, parts[0] == "apis", groups.contains(parts[1]), !parts[1].isEmpty,
           resources.contains(where: { $0.group == parts[1] && $0.version == parts[2] }) {
            return Responses.encode(resourceList(group: parts[1]), bytes: nil, format: format)
        }
        throw APIError.pathNotFound
    }

    private func version(of group: String) -> String { resources.first { $0.group == group }?.version ?? "v1" }

    private func apiGroup(_ group: String) -> JSON {
        let gv: JSON = ["groupVersion": .string("\(group)/\(version(of: group))"), "version": .string(version(of: group))]
        return ["name": .string(group), "versions": [gv], "preferredVersion": gv]
    }

    /// APIResourceList: each resource, then its subresources as `<plural>/<sub>` entries.
    private func resourceList(group: String) -> JSON {
        var entries: [JSON] = []
        for r in resources where r.group == group {
            var entry: JSONObject = [
                "name": .string(r.plural), "singularName": .string(r.singular), "namespaced": .bool(r.namespaced),
                "kind": .string(r.kind), "verbs": .array(r.verbs.map { .string($0) }),
            ]
            if !r.shortNames.isEmpty { entry["shortNames"] = .array(r.shortNames.map { .string($0) }) }
            if !r.categories.isEmpty { entry["categories"] = .array(r.categories.map { .string($0) }) }
            entries.append(.object(entry))
            for sub in r.subresources {
                var subEntry: JSONObject = ["name": .string("\(r.plural)/\(sub)"), "singularName": "", "namespaced": .bool(r.namespaced)]
                if let (group, version, kind) = Self.subresourceGroupKinds[sub] {
                    subEntry["group"] = .string(group)
                    subEntry["version"] = .string(version)
                    subEntry["kind"] = .string(kind)
                } else if let kind = Self.subresourceKind(r.kind, sub) {
                    subEntry["kind"] = .string(kind)
                } else {
                    subEntry["kind"] = .string(r.kind)
                }
                subEntry["verbs"] = .array(Self.subresourceVerbs(sub).map { .string($0) })
                entries.append(.object(subEntry))
            }
        }
        let groupVersion = group.isEmpty ? "v1" : "\(group)/\(version(of: group))"
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(entries)]
    }

    /// The kinds upstream's discovery names for subresources that answer another kind than their parent.
    static let subresourceKinds: [String: String] = [
        "binding": "Binding", "exec": "PodExecOptions", "attach": "PodAttachOptions", "log": "Pod",
        "portforward": "PodPortForwardOptions",
    ]

    /// Subresources answering a kind of another group: group, version and kind, as discovery names them.
    static let subresourceGroupKinds: [String: (String, String, String)] = [
        "scale": ("autoscaling", "v1", "Scale"),
        "token": ("authentication.k8s.io", "v1", "TokenRequest"),
        "eviction": ("policy", "v1", "Eviction"),
    ]

    /// `pods/proxy` answers PodProxyOptions, `services/proxy` ServiceProxyOptions.
    static func subresourceKind(_ kind: String, _ sub: String) -> String? {
        sub == "proxy" ? "\(kind)ProxyOptions" : subresourceKinds[sub]
    }

    static func subresourceVerbs(_ sub: String) -> [String] {
        switch sub {
        case "finalize": return ["update"]
        case "binding", "token", "eviction": return ["create"]
        case "exec", "attach", "portforward": return ["create", "get"]
        case "log": return ["get"]
        case "proxy": return ["create", "delete", "get", "patch", "update"]
        default: return ["get", "patch", "update"]
        }
    }

    /// One APIGroupDiscovery item of aggregated discovery.
    private func aggregatedGroup(_ group: String) -> JSON {
        var resourceEntries: [JSON] = []
        for r in resources where r.group == group {
            var entry: JSONObject = [
                "resource": .string(r.plural),
                "responseKind": ["group": .string(r.group), "version": .string(r.version), "kind": .string(r.kind)],
                "scope": .string(r.namespaced ? "Namespaced" : "Cluster"),
                "singularResource": .string(r.singular),
                "verbs": .array(r.verbs.map { .string($0) }),
            ]
            if !r.shortNames.isEmpty { entry["shortNames"] = .array(r.shortNames.map { .string($0) }) }
            if !r.categories.isEmpty { entry["categories"] = .array(r.categories.map { .string($0) }) }
            if !r.subresources.isEmpty {
                entry["subresources"] = .array(r.subresources.map { sub in
                    let kind: JSON
                    if let (group, version, other) = Self.subresourceGroupKinds[sub] {
                        kind = ["group": .string(group), "version": .string(version), "kind": .string(other)]
                    } else if let other = Self.subresourceKind(r.kind, sub) {
                        kind = ["group": "", "version": "v1", "kind": .string(other)]
                    } else {
                        kind = ["group": .string(r.group), "version": .string(r.version), "kind": .string(r.kind)]
                    }
                    return ["subresource": .string(sub), "responseKind": kind, "verbs": .array(Self.subresourceVerbs(sub).map { .string($0) })]
                })
            }
            resourceEntries.append(.object(entry))
        }
        var metadata: JSONObject = ["creationTimestamp": .null]
        if !group.isEmpty { metadata["name"] = .string(group) }
        return [
            "metadata": .object(metadata),
            "versions": [["version": .string(version(of: group)), "resources": .array(resourceEntries), "freshness": "Current"]],
        ]
    }
}
