import APIMachinery
import Foundation
import Registry

/// Upstream's JWTTokenGenerator: service account tokens as compact JWS (RS256) with the claims of
/// pkg/serviceaccount/claims.go, verifiable with the key `/openid/v1/jwks` publishes.
public struct JWTTokenGenerator: ServiceAccountTokenIssuer {
    public static let defaultIssuer = "https://kubernetes.default.svc.cluster.local"

    public let key: ServiceAccountSigningKey
    public let issuer: String
    public var apiAudiences: [String] { [issuer] }

    public init(key: ServiceAccountSigningKey, issuer: String = JWTTokenGenerator.defaultIssuer) {
        self.key = key
        self.issuer = issuer
    }

    public func generateToken(_ claims: ServiceAccountTokenClaims) throws -> String {
        let header: JSON = ["alg": "RS256", "kid": .string(key.keyID)]
        let input = Self.segment(header) + "." + Self.segment(Self.payload(claims))
        let signature = try key.sign(Data(input.utf8))
        return input + "." + Base64URLText.encode(signature)
    }

    public func generateLegacyToken(_ claims: LegacyServiceAccountTokenClaims) throws -> String {
        let header: JSON = ["alg": "RS256", "kid": .string(key.keyID)]
        let payload: JSON = [
            "iss": .string(LegacyServiceAccountTokenClaims.issuer),
            "kubernetes.io/serviceaccount/namespace": .string(claims.namespace),
            "kubernetes.io/serviceaccount/secret.name": .string(claims.secretName),
            "kubernetes.io/serviceaccount/service-account.name": .string(claims.serviceAccountName),
            "kubernetes.io/serviceaccount/service-account.uid": .string(claims.serviceAccountUID),
            "sub": .string(claims.subject),
        ]
        let input = Self.segment(header) + "." + Self.segment(payload)
        return input + "." + Base64URLText.encode(try key.sign(Data(input.utf8)))
    }

    static func segment(_ value: JSON) -> String {
        Base64URLText.encode(Data(JSONWriter.encode(value)))
    }

    /// The registered claims and the private `kubernetes.io` claim, as upstream's Claims builds them
    /// (pod, secret and node only when the token is bound to them; `warnafter` only when extended).
    static func payload(_ claims: ServiceAccountTokenClaims) -> JSON {
        func ref(_ r: ServiceAccountTokenClaims.Reference) -> JSON { ["name": .string(r.name), "uid": .string(r.uid)] }
        func seconds(_ date: Date) -> JSON { .int(Int64(date.timeIntervalSince1970.rounded(.down))) }
        var kubernetes: JSONObject = ["namespace": .string(claims.namespace)]
        if let node = claims.node { kubernetes["node"] = ref(node) }
        if let pod = claims.pod { kubernetes["pod"] = ref(pod) }
        if let secret = claims.secret { kubernetes["secret"] = ref(secret) }
        kubernetes["serviceaccount"] = ref(claims.serviceAccount)
        if let warnAfter = claims.warnAfter { kubernetes["warnafter"] = seconds(warnAfter) }
        return [
            "aud": .array(claims.audiences.map { .string($0) }),
            "exp": seconds(claims.expiresAt),
            "iat": seconds(claims.issuedAt),
            "iss": .string(claims.issuer),
            "jti": .string(claims.id),
            "kubernetes.io": .object(kubernetes),
            "nbf": seconds(claims.issuedAt),
            "sub": .string(claims.subject),
        ]
    }

    /// `/openid/v1/jwks`: the keys that verify this issuer's tokens.
    public func jwks() throws -> JSON {
        let jwk = try key.jwk()
        var entry: JSONObject = [:]
        for name in ["use", "kty", "kid", "alg", "n", "e"] { entry[name] = .string(jwk[name]!) }
        return ["keys": [.object(entry)]]
    }

    /// `/.well-known/openid-configuration`, upstream's OIDC discovery document.
    public func openIDConfiguration(jwksURI: String) -> JSON {
        Self.openIDConfiguration(issuer: issuer, jwksURI: jwksURI)
    }

    static func openIDConfiguration(issuer: String, jwksURI: String) -> JSON {
        [
            "issuer": .string(issuer),
            "jwks_uri": .string(jwksURI),
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        ]
    }
}
