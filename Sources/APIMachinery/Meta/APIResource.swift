/// A group/version/kind triple.
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String
    public init(group: String, version: String, kind: String) { self.group = group; self.version = version; self.kind = kind }
    /// `v1` for the core group, `apps/v1` otherwise: the apiVersion field's value.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }
    public var description: String { "\(apiVersion), Kind=\(kind)" }
}

/// Everything the API server states about one served resource: the facts discovery, OpenAPI,
/// routing and messages need. Values follow upstream exactly (plural, short names, verbs, categories).
public struct APIResource: Sendable, Hashable {
    public var group: String
    public var version: String
    public var kind: String
    /// Lower-case plural used in URLs, e.g. `statefulsets`.
    public var plural: String
    /// Lower-case singular, e.g. `statefulset`.
    public var singular: String
    public var shortNames: [String]
    public var namespaced: Bool
    public var verbs: [String]
    public var categories: [String]
    /// Subresources served, e.g. `["status", "scale"]`.
    public var subresources: [String]
    /// The OpenAPI definition name of the kind, e.g. `io.k8s.api.apps.v1.StatefulSet`.
    public var definition: String
    /// The OpenAPI definition name of the list kind.
    public var listDefinition: String
    /// `<Kind>List` for every built-in kind; a custom resource's CRD may name another.
    public var listKind: String

    public init(group: String, version: String, kind: String, plural: String, shortNames: [String] = [],
                namespaced: Bool, verbs: [String] = APIResource.allVerbs, categories: [String] = [],
                subresources: [String] = [], definition: String) {
        self.group = group; self.version = version; self.kind = kind; self.plural = plural
        self.singular = kind.lowercased(); self.shortNames = shortNames; self.namespaced = namespaced
        self.verbs = verbs; self.categories = categories; self.subresources = subresources
        self.definition = definition; self.listDefinition = definition + "List"
        self.listKind = kind + "List"
    }

    public static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    public var gvk: GroupVersionKind { GroupVersionKind(group: group, version: version, kind: kind) }
    public var groupResource: GroupResource { GroupResource(group: group, resource: plural) }
    public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }
    public var apiVersion: String { gvk.apiVersion }
}
