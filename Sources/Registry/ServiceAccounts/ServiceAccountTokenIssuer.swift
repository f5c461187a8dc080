import APIMachinery
import Foundation
import Synchronization

/// What a service account token says (upstream's pkg/serviceaccount Claims: the registered JWT
/// claims and the private `kubernetes.io` claim).
public struct ServiceAccountTokenClaims: Sendable, Equatable {
    /// A name and uid, as the claim's `ref` carries them.
    public struct Reference: Sendable, Equatable {
        public var name: String
        public var uid: String
        public init(name: String, uid: String) { self.name = name; self.uid = uid }
    }

    public var issuer: String
    public var audiences: [String]
    public var issuedAt: Date
    public var expiresAt: Date
    /// The requested expiry when the token is valid longer than asked (upstream's `warnafter`:
    /// projected tokens of 3607 s live a year but warn after their hour).
    public var warnAfter: Date?
    public var namespace: String
    public var serviceAccount: Reference
    public var pod: Reference?
    public var secret: Reference?
    public var node: Reference?
    /// The token's id (`jti`), a random UUID.
    public var id: String
    /// A legacy Secret-based token (issuer `kubernetes/serviceaccount`): valid while its Secret
    /// (`secret`, by name) holds it, with no expiry.
    public var legacy = false

    public init(issuer: String, audiences: [String], issuedAt: Date, expiresAt: Date, warnAfter: Date? = nil,
                namespace: String, serviceAccount: Reference, pod: Reference? = nil, secret: Reference? = nil,
                node: Reference? = nil, id: String) {
        self.issuer = issuer; self.audiences = audiences; self.issuedAt = issuedAt; self.expiresAt = expiresAt
        self.warnAfter = warnAfter; self.namespace = namespace; self.serviceAccount = serviceAccount
        self.pod = pod; self.secret = secret; self.node = node; self.id = id
    }

    /// `system:serviceaccount:<namespace>:<name>`, the token's subject and the user it authenticates as.
    public var subject: String { "system:serviceaccount:\(namespace):\(serviceAccount.name)" }
}

/// What a legacy Secret-based token says: the account and the Secret holding the token.
public struct LegacyServiceAccountTokenClaims: Sendable, Equatable {
    public static let issuer = "kubernetes/serviceaccount"
    public var namespace: String
    public var serviceAccountName: String
    public var serviceAccountUID: String
    public var secretName: String

    public init(namespace: String, serviceAccountName: String, serviceAccountUID: String, secretName: String) {
        self.namespace = namespace; self.serviceAccountName = serviceAccountName
        self.serviceAccountUID = serviceAccountUID; self.secretName = secretName
    }

    public var subject: String { "system:serviceaccount:\(namespace):\(serviceAccountName)" }
}

/// Signs service account tokens (upstream's TokenGenerator). The Registry's TokenRequest store
/// builds the claims; the signer (the Credentials module, with the cluster's key) turns them into a JWT.
public protocol ServiceAccountTokenIssuer: Sendable {
    /// The `iss` of every token (kube-apiserver's --service-account-issuer).
    var issuer: String { get }
    /// The audiences a request without any gets (kube-apiserver's --api-audiences, the issuer by default).
    var apiAudiences: [String] { get }
    func generateToken(_ claims: ServiceAccountTokenClaims) throws -> String
    /// A legacy, never-expiring token for a `kubernetes.io/service-account-token` Secret (the tokens
    /// controller's; pkg/serviceaccount/legacy.go's claims, issuer `kubernetes/serviceaccount`).
    func generateLegacyToken(_ claims: LegacyServiceAccountTokenClaims) throws -> String
    /// Checks a token's signature, issuer, validity and audiences (the JWT authenticator's part;
    /// TokenReviewStore then checks the objects it names still exist).
    func verifyToken(_ token: String, audiences: [String], now: Date) throws(TokenRejection) -> ServiceAccountTokenClaims
    /// `/openid/v1/jwks`: the public keys that verify the tokens.
    func jwks() throws -> JSON
    /// `/.well-known/openid-configuration`, upstream's OIDC discovery document.
    func openIDConfiguration(jwksURI: String) -> JSON
}

/// Why a bearer token does not authenticate.
public enum TokenRejection: Error, Sendable, Equatable {
    /// Not a token of this issuer (malformed, or another issuer's): no authenticator claims it.
    case notOurs
    /// This issuer's token, refused for the reason given (upstream's validator wording).
    case invalid(String)
}

/// Where the Registry keeps the token issuer: wired at start-up once the key is loaded.
final class TokenIssuerSlot: Sendable {
    private let issuer = Mutex<(any ServiceAccountTokenIssuer)?>(nil)
    func set(_ value: any ServiceAccountTokenIssuer) { issuer.withLock { $0 = value } }
    func get() -> (any ServiceAccountTokenIssuer)? { issuer.withLock { $0 } }
}
