/// Where objects live in etcd, as kube-apiserver lays them out: `<prefix>/<resource path>/<namespace>/<name>`
/// (cluster-scoped: `<prefix>/<resource path>/<name>`).
///
/// The resource path is what upstream's storage factory gives: the plural alone for built-in
/// groups (`/registry/deployments/...`, `/registry/clusterroles/...`), its overrides for a few
/// core resources (`minions`, `services/specs`, `services/endpoints`, `controllers`, `ingress`),
/// and `<group>/<plural>` for the API extensions' own resources and custom resources
/// (`/registry/apiextensions.k8s.io/customresourcedefinitions/...`, `/registry/stable.example.com/crontabs/...`).
/// Reading a key back needs the inverse, so the layout knows the built-in resources by name.
public struct EtcdKeyLayout: Sendable {
    public let prefix: String
    /// Kubelite's resource name (`statefulsets.apps`) → its path under the prefix.
    private var paths: [String: String] = [:]
    /// The inverse, for keys the watch reports.
    private var resources: [String: String] = [:]

    /// upstream's etcdResourcePrefix overrides (pkg/kubeapiserver/default_storage_factory_builder
    /// and the core registry's REST storage).
    static let overrides: [String: String] = [
        "nodes": "minions",
        "services": "services/specs",
        "endpoints": "services/endpoints",
        "replicationcontrollers": "controllers",
        "ingresses.networking.k8s.io": "ingress",
        "customresourcedefinitions.apiextensions.k8s.io": "apiextensions.k8s.io/customresourcedefinitions",
        "apiservices.apiregistration.k8s.io": "apiregistration.k8s.io/apiservices",
    ]

    /// - Parameters:
    ///   - prefix: `--etcd-prefix` (`/registry`).
    ///   - builtinResources: Kubelite's names of the built-in resources (`pods`, `statefulsets.apps`);
    ///     any other resource is a custom one and keyed by group and plural.
    public init(prefix: String, builtinResources: [String]) {
        var trimmed = prefix
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        if !trimmed.hasPrefix("/") { trimmed = "/" + trimmed }
        self.prefix = trimmed == "/" ? "" : trimmed
        for resource in builtinResources {
            let path = Self.overrides[resource] ?? Self.split(resource).plural
            // A plural two groups share (rare) would collide: the later one is keyed by its group.
            let unique = resources[path] == nil ? path : Self.groupPath(resource)
            paths[resource] = unique
            resources[unique] = resource
        }
    }

    /// The prefix every Kubelite key is under, with its trailing slash.
    public var rootPrefix: String { prefix + "/" }

    public func key(_ key: StorageKey) -> String {
        let path = resourcePath(key.resource)
        return key.namespace.isEmpty ? "\(prefix)/\(path)/\(key.name)" : "\(prefix)/\(path)/\(key.namespace)/\(key.name)"
    }

    /// The prefix of a resource's keys (with the trailing slash).
    public func resourcePrefix(_ resource: String) -> String { "\(prefix)/\(resourcePath(resource))/" }

    func resourcePath(_ resource: String) -> String { paths[resource] ?? Self.groupPath(resource) }

    /// The storage key an etcd key names, or nil for a key outside Kubelite's layout.
    public func storageKey(_ etcdKey: String) -> StorageKey? {
        guard etcdKey.hasPrefix(rootPrefix) else { return nil }
        let parts = etcdKey.dropFirst(rootPrefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // Longest resource path first: `services/specs` before a plural alone.
        for length in [2, 1] where parts.count > length {
            let path = parts[0..<length].joined(separator: "/")
            let resource: String
            if let known = resources[path] {
                resource = known
            } else if length == 2 && parts[0].contains(".") {
                resource = "\(parts[1]).\(parts[0])"  // a custom resource: <group>/<plural>
            } else {
                continue
            }
            let rest = parts[length...]
            switch rest.count {
            case 1 where !rest.first!.isEmpty: return StorageKey(resource: resource, namespace: "", name: rest.first!)
            case 2 where !rest.first!.isEmpty && !rest.last!.isEmpty:
                return StorageKey(resource: resource, namespace: rest.first!, name: rest.last!)
            default: return nil
            }
        }
        return nil
    }

    private static func split(_ resource: String) -> (plural: String, group: String) {
        guard let dot = resource.firstIndex(of: ".") else { return (resource, "") }
        return (String(resource[..<dot]), String(resource[resource.index(after: dot)...]))
    }

    private static func groupPath(_ resource: String) -> String {
        let (plural, group) = split(resource)
        return group.isEmpty ? plural : "\(group)/\(plural)"
    }
}
