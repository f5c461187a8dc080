import APIMachinery
import HTTPServer
import Registry

/// Who a request acts as: the authenticated requester, or the user it impersonates with kubectl's
/// `--as`/`--as-group`/`--as-uid` (the `Impersonate-*` headers), which the API server has already
/// authorized (`APIServer.authorize`, k8s.io/apiserver's WithImpersonation) before any handler asks.
enum RequestUser {
    static func of(_ request: HTTPRequest) throws(APIError) -> UserInfo {
        guard let impersonation = try ImpersonationRequest.parse(request) else { return authenticated(request) }
        return impersonation.user
    }

    /// Who sent the request. Kubelite authenticates nobody yet (issue 17's authentication work):
    /// every request is `system:anonymous` in `system:unauthenticated`, as kube-apiserver's
    /// anonymous authenticator names it.
    static func authenticated(_ request: HTTPRequest) -> UserInfo { .anonymous }
}
