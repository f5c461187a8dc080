import APIMachinery

/// The 403 a refused request gets (responsewriters.Forbidden): apierrors.NewForbidden of the
/// request's group and resource, its message saying who cannot do what, then the authorizer's
/// reason if it gave one. The API server's filter and the controllers' in-process client both
/// answer a refusal with it.
public enum Forbidden {
    public static func error(_ attributes: AuthorizationAttributes, reason: String) -> APIError {
        let message = reason.isEmpty ? Self.message(attributes) : "\(Self.message(attributes)): \(reason)"
        guard attributes.isResourceRequest, !(attributes.resource.isEmpty && attributes.apiGroup.isEmpty) else {
            // An empty GroupResource: "forbidden: ..." with empty details, as NewForbidden makes it.
            return APIError(code: 403, reason: "Forbidden", message: "forbidden: \(message)", details: .init())
        }
        return APIError.forbidden(GroupResource(group: attributes.apiGroup, resource: attributes.resource), attributes.name, message)
    }

    /// forbiddenMessage: `User "x" cannot list resource "pods" in API group "" in the namespace "y"`,
    /// `... at the cluster scope`, or `User "x" cannot get path "/foo"`.
    public static func message(_ attributes: AuthorizationAttributes) -> String {
        let user = GoQuoted.string(attributes.user.username)
        guard attributes.isResourceRequest else {
            return "User \(user) cannot \(attributes.verb) path \(GoQuoted.string(attributes.path))"
        }
        let resource = attributes.subresource.isEmpty ? attributes.resource : "\(attributes.resource)/\(attributes.subresource)"
        let scope = attributes.namespace.isEmpty ? "at the cluster scope" : "in the namespace \(GoQuoted.string(attributes.namespace))"
        return "User \(user) cannot \(attributes.verb) resource \(GoQuoted.string(resource)) in API group \(GoQuoted.string(attributes.apiGroup)) \(scope)"
    }
}
