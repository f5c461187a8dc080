import APIMachinery
import HTTPServer
import Registry

extension APIServer {
    /// The impersonation and authorization filters (WithImpersonation, WithAuthorization): the
    /// requester must be allowed to impersonate whom its headers name, and the user it then acts as
    /// must be allowed the request; otherwise 403 with upstream's message. With AlwaysAllow first in
    /// the modes nothing is asked (every answer would be yes).
    func authorize(_ served: ServedRequest, info: RequestInfo?) throws(APIError) {
        let request = served.request
        let authorizer = registry.authorizer
        if authorizer.allowsEverything { return }
        var user = served.user
        if let impersonation = try ImpersonationRequest.parse(request) {
            for check in impersonation.checks(by: user) {
                let answer = authorizer.authorize(check)
                guard answer.allowed else { throw Self.refusal(check, answer) }
            }
            user = impersonation.user
        }
        let attributes = RequestAttributes.of(request, info: info, user: user)
        let answer = authorizer.authorize(attributes)
        guard answer.allowed else { throw Self.refusal(attributes, answer) }
    }

    /// A deny or no opinion is 403 (the authorizers here report resolution trouble in the reason,
    /// as RBAC does, never as an error that would make it a 500).
    static func refusal(_ attributes: AuthorizationAttributes, _ answer: Authorization) -> APIError {
        Forbidden.error(attributes, reason: answer.reason)
    }
}
