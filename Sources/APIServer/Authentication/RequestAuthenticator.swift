import HTTPServer
import Registry

/// One of kube-apiserver's request authenticators (k8s.io/apiserver's authenticator.Request): it
/// finds its kind of credential in a request and says who presented it.
protocol RequestAuthenticator: Sendable {
    func authenticate(_ request: HTTPRequest) -> AuthenticationOutcome
    /// Whether a success removes the `Authorization` header from the request, as upstream's bearer
    /// token authenticator does, so the credential never travels further (a proxied pod, a log).
    var removesAuthorizationHeader: Bool { get }
}

extension RequestAuthenticator {
    var removesAuthorizationHeader: Bool { false }
}

/// An authenticator's answer, as upstream's `(response, ok, err)`.
enum AuthenticationOutcome: Equatable {
    /// The credential names this user.
    case authenticated(UserInfo)
    /// No credential of this kind in the request (`ok == false, err == nil`): others may try.
    case notPresented
    /// A credential of this kind that does not authenticate (`err != nil`); the reason is logged,
    /// the client only sees 401 Unauthorized.
    case rejected(String)
}

/// Upstream's token authenticator (authenticator.Token): a bearer token's owner, if this source knows it.
protocol TokenAuthenticator: Sendable {
    func authenticate(token: String) -> AuthenticationOutcome
}
