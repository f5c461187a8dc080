import APIMachinery
import HTTPServer
import Logging
import Registry

/// kube-apiserver's authentication filter (pkg/kubeapiserver/authenticator/config.go and
/// k8s.io/apiserver's WithAuthentication): the authenticators in upstream's order (client
/// certificate, then bearer tokens: token file, service account tokens) as a union in which the
/// first success wins; a request no authenticator recognises is `system:anonymous` when anonymous
/// auth is on, and any credential that was presented and refused is 401 (union.NewFailOnError: a
/// bad credential never degrades to anonymous). Every authenticated user gains `system:authenticated`.
public struct AuthenticationChain: Sendable {
    let authenticators: [any RequestAuthenticator]
    let anonymousAllowed: Bool
    let logger: Logger

    /// upstream's `apierrors.NewUnauthorized("Unauthorized")`, the answer to every failure.
    static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    init(authenticators: [any RequestAuthenticator], anonymousAllowed: Bool, logger: Logger = Logger(label: "kubelite.authn")) {
        self.authenticators = authenticators
        self.anonymousAllowed = anonymousAllowed
        self.logger = logger
    }

    /// Kubelite's chain before issue 17: nobody is authenticated, everyone is anonymous.
    public static let anonymousOnly = AuthenticationChain(authenticators: [], anonymousAllowed: true)

    /// The chain kube-apiserver builds from its flags.
    /// - Parameters:
    ///   - clientCertificates: `--client-ca-file`'s verifier; nil when client certificates are not accepted.
    ///   - tokenFile: `--token-auth-file`'s tokens.
    ///   - registry: service account tokens are checked against its TokenReview validator (the
    ///     account, and the pod or secret the token is bound to, must still exist).
    public static func standard(clientCertificates: ClientCertificateAuthenticator?, tokenFile: StaticTokenFile?,
                                registry: Registry?, anonymousAllowed: Bool, logger: Logger = Logger(label: "kubelite.authn")) -> AuthenticationChain {
        var tokens: [any TokenAuthenticator] = []
        if let tokenFile { tokens.append(tokenFile) }
        if let registry { tokens.append(ServiceAccountTokenAuthenticator(registry: registry)) }
        var authenticators: [any RequestAuthenticator] = []
        if let clientCertificates { authenticators.append(clientCertificates) }
        if !tokens.isEmpty { authenticators.append(BearerTokenAuthenticator(tokens: tokens)) }
        return AuthenticationChain(authenticators: authenticators, anonymousAllowed: anonymousAllowed, logger: logger)
    }

    /// Who sent `request`, or upstream's 401. A bearer token that authenticated is removed from the
    /// request's headers.
    public func authenticate(_ request: inout HTTPRequest) throws(APIError) -> UserInfo {
        var reasons: [String] = []
        for authenticator in authenticators {
            switch authenticator.authenticate(request) {
            case .authenticated(let user):
                if authenticator.removesAuthorizationHeader { request.headers.removeAll { $0.name == "authorization" } }
                return Self.addingAuthenticatedGroup(user)
            case .notPresented: continue
            case .rejected(let reason): reasons.append(reason)
            }
        }
        if reasons.isEmpty, anonymousAllowed { return .anonymous }
        logger.debug("Unable to authenticate the request", metadata: [
            "path": "\(request.path)", "client": "\(request.remoteAddress)",
            "err": "\(reasons.isEmpty ? "no credentials and anonymous auth is off" : reasons.joined(separator: ", "))"])
        throw Self.unauthorized
    }

    /// group.AuthenticatedGroupAdder: `system:authenticated` for every authenticated user (not for
    /// one already in it or in `system:unauthenticated`).
    static func addingAuthenticatedGroup(_ user: UserInfo) -> UserInfo {
        if user.username == UserInfo.anonymous.username { return user }
        if user.groups.contains("system:authenticated") || user.groups.contains("system:unauthenticated") { return user }
        var user = user
        user.groups.append("system:authenticated")
        return user
    }
}
