import APIMachinery

/// What is asked of an authorizer (k8s.io/apiserver's authorizer.Attributes): who, which verb, and
/// either a resource (group, resource, subresource, namespace, name) or a non-resource path.
public struct AuthorizationAttributes: Sendable, Equatable {
    public var user: UserInfo
    public var verb: String
    public var isResourceRequest: Bool
    public var namespace: String
    public var apiGroup: String
    public var apiVersion: String
    public var resource: String
    public var subresource: String
    public var name: String
    /// The request path, for non-resource requests.
    public var path: String

    public init(user: UserInfo, verb: String, namespace: String = "", apiGroup: String = "", apiVersion: String = "",
                resource: String, subresource: String = "", name: String = "") {
        self.user = user; self.verb = verb; self.isResourceRequest = true; self.namespace = namespace
        self.apiGroup = apiGroup; self.apiVersion = apiVersion; self.resource = resource
        self.subresource = subresource; self.name = name; self.path = ""
    }

    public init(user: UserInfo, verb: String, path: String) {
        self.user = user; self.verb = verb; self.isResourceRequest = false; self.namespace = ""
        self.apiGroup = ""; self.apiVersion = ""; self.resource = ""; self.subresource = ""; self.name = ""
        self.path = path
    }
}
