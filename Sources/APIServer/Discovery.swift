import APIMachinery
import HTTPServer

/// Discovery documents: the legacy documents (/api, /api/v1, /apis, /apis/<group>,
/// /apis/<group>/<version>) and aggregated discovery (apidiscovery.k8s.io/v2) that kubectl 1.32
/// asks for first. Built per request from what is served now, as custom resources come and go
/// with their CRDs.
struct Discovery: Sendable {
    let served: @Sendable () -> [APIResource]

    init(served: @escaping @Sendable () -> [APIResource]) { self.served = served }

    /// The documents' view of one moment: resources, and groups in order of first appearance ("" for core).
    private struct Snapshot {
        let resources: [APIResource]
        let groups: [String]
        init(_ resources: [APIResource]) {
            self.resources = resources
            var seen: [String] = []
            var known = Set<String>()
            for r in resources where known.insert(r.group).inserted { seen.append(r.group) }
            groups = seen
        }
        /// A group's versions, preferred first (upstream's version priority: GA, then beta, then alpha).
        func versions(of group: String) -> [String] {
            var seen: [String] = []
            for r in resources where r.group == group && !seen.contains(r.version) { seen.append(r.version) }
            return seen.sorted { KubeVersionPriority.higher($0, than: $1) }
        }
    }

    func serveRoot(_ path: String, request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let snapshot = Snapshot(served())
        let groups = snapshot.groups
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: false, allowDiscovery: true)
        let core = path == "/api"
        if case .discovery(let version) = format {
            let items = (core ? [""] : groups.filter { !$0.isEmpty }).map { aggregatedGroup($0, snapshot) }
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
        let list: JSON = ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.filter { !$0.isEmpty }.map { apiGroup($0, snapshot) })]
        return Responses.encode(list, bytes: nil, format: format)
    }

    /// /api/v1, /apis/<group>, /apis/<group>/<version>.
    func serveGroupPath(_ path: String, request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let parts = path.splitASCII("/", omittingEmptySubsequences: true).map(String.init)
        let snapshot = Snapshot(served())
        let groups = snapshot.groups, resources = snapshot.resources
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: false)
        if parts.count == 2, parts[0] == "api", parts[1] == "v1" {
            return Responses.encode(resourceList(group: "", version: "v1", snapshot), bytes: nil, format: format)
        }
        if parts.count == 2, parts[0] == "apis", groups.contains(parts[1]), !parts[1].isEmpty {
            var group = apiGroup(parts[1], snapshot)
            group["kind"] = "APIGroup"
            group["apiVersion"] = "v1"
            return Responses.encode(group, bytes: nil, format: format)
        }
        if parts.count == 3, parts[0] == "apis", groups.contains(parts[1]), !parts[1].isEmpty,
           resources.contains(where: { $0.group == parts[1] && $0.version == parts[2] }) {
            return Responses.encode(resourceList(group: parts[1], version: parts[2], snapshot), bytes: nil, format: format)
        }
        throw APIError.pathNotFound
    }

    private func apiGroup(_ group: String, _ snapshot: Snapshot) -> JSON {
        let versions: [JSON] = snapshot.versions(of: group).map { ["groupVersion": .string("\(group)/\($0)"), "version": .string($0)] }
        return ["name": .string(group), "versions": .array(versions), "preferredVersion": versions.first ?? .null]
    }

    /// APIResourceList: each resource, then its subresources as `<plural>/<sub>` entries.
    private func resourceList(group: String, version: String, _ snapshot: Snapshot) -> JSON {
        var entries: [JSON] = []
        for r in snapshot.resources where r.group == group && r.version == version {
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
        let groupVersion = group.isEmpty ? "v1" : "\(group)/\(version)"
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
    private func aggregatedGroup(_ group: String, _ snapshot: Snapshot) -> JSON {
        let versions = snapshot.versions(of: group).map { version in
            ["version": .string(version), "resources": .array(aggregatedResources(group, version, snapshot)), "freshness": "Current"] as JSON
        }
        var metadata: JSONObject = ["creationTimestamp": .null]
        if !group.isEmpty { metadata["name"] = .string(group) }
        return ["metadata": .object(metadata), "versions": .array(versions)]
    }

    private func aggregatedResources(_ group: String, _ version: String, _ snapshot: Snapshot) -> [JSON] {
        var resourceEntries: [JSON] = []
        for r in snapshot.resources where r.group == group && r.version == version {
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
        return resourceEntries
    }
}

/// Upstream's version priority (k8s.io/apimachinery/pkg/version.CompareKubeAwareVersionStrings):
/// GA versions first, highest major first; then betas, then alphas, each by major then minor;
/// versions of no Kubernetes form last, alphabetically.
enum KubeVersionPriority {
    private static func parse(_ v: String) -> (stage: Int, major: Int, minor: Int)? {
        guard v.hasPrefix("v") else { return nil }
        let rest = v.dropFirst()
        let digits = rest.prefix { $0.isNumber }
        guard let major = Int(digits), !digits.hasPrefix("0") else { return nil }
        let tail = rest.dropFirst(digits.count)
        if tail.isEmpty { return (2, major, 0) }
        for (stage, word) in [(1, "beta"), (0, "alpha")] where tail.hasPrefix(word) {
            guard let minor = Int(tail.dropFirst(word.count)) else { return nil }
            return (stage, major, minor)
        }
        return nil
    }

    static func higher(_ a: String, than b: String) -> Bool {
        switch (parse(a), parse(b)) {
        case let (x?, y?):
            if x.stage != y.stage { return x.stage > y.stage }
            if x.major != y.major { return x.major > y.major }
            return x.minor > y.minor
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a < b
        }
    }
}
