import APIMachinery
import HTTPServer
import Registry

/// Who a request acts as: the user authentication found (`AuthenticationChain`, kept in
/// `ServedRequest.user`), or the user it impersonates with kubectl's `--as`/`--as-group`/`--as-uid`
/// (the `Impersonate-*` headers), which the API server has already authorized
/// (`APIServer.authorize`, k8s.io/apiserver's WithImpersonation) before any handler asks.
enum RequestUser {
    static func of(_ served: ServedRequest) throws(APIError) -> UserInfo {
        guard let impersonation = try ImpersonationRequest.parse(served.request) else { return served.user }
        return impersonation.user
    }
}
