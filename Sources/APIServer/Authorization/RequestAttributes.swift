import APIMachinery
import Foundation
import HTTPServer
import Registry

/// What the authorizer is asked about a request (filters.GetAuthorizerAttributes): the RequestInfo
/// of a resource path, or the path and the lower-cased method of any other.
enum RequestAttributes {
    static func of(_ request: HTTPRequest, info: RequestInfo?, user: UserInfo) -> AuthorizationAttributes {
        guard let info, info.isResourceRequest else {
            return AuthorizationAttributes(user: user, verb: request.method.lowercased(), path: request.path)
        }
        var name = info.name
        // A list or watch of one object by field selector is authorized as for that name, as the
        // RequestInfoFactory reads `fieldSelector=metadata.name=x`.
        if name.isEmpty, info.verb == "list" || info.verb == "watch", let selector = request.queryValue("fieldSelector") {
            name = selectedName(selector) ?? ""
        }
        return AuthorizationAttributes(user: user, verb: info.verb, namespace: info.namespace ?? "", apiGroup: info.group,
                                       apiVersion: info.version, resource: info.resource, subresource: info.subresource, name: name)
    }

    /// The name a field selector requires (`metadata.name=x` or `==x` among its terms), when it is a
    /// valid path segment.
    static func selectedName(_ selector: String) -> String? {
        for term in selector.split(separator: ",") {
            for op in ["==", "="] {
                guard let range = term.range(of: op) else { continue }
                let field = term[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                guard field == "metadata.name", !term[..<range.lowerBound].hasSuffix("!") else { break }
                let value = String(term[range.upperBound...]).trimmingCharacters(in: .whitespaces)
                guard value != ".", value != "..", !value.contains("/"), !value.contains("%") else { return nil }
                return value
            }
        }
        return nil
    }
}
