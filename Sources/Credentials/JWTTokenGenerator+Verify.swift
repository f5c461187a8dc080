import _CryptoExtras
import APIMachinery
import Crypto
import Foundation
import Registry

/// Upstream's JWT token authenticator (pkg/serviceaccount/jwt.go): a compact JWS signed with the
/// cluster's key, from this issuer, within its validity (one minute of leeway, jwt.DefaultLeeway),
/// for one of the wanted audiences.
extension JWTTokenGenerator {
    static let leeway: TimeInterval = 60

    public func verifyToken(_ token: String, audiences: [String], now: Date) throws(TokenRejection) -> ServiceAccountTokenClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URLText.decode(String(parts[0])),
              let payloadData = Base64URLText.decode(String(parts[1])),
              let signatureData = Base64URLText.decode(String(parts[2])),
              let header = try? JSONParser.parse(Array(headerData)).value,
              let payload = try? JSONParser.parse(Array(payloadData)).value else {
            throw .notOurs
        }
        let legacy = payload["iss"]?.stringValue == LegacyServiceAccountTokenClaims.issuer
        // Another issuer's token is left to other authenticators (here: none).
        guard legacy || (payload["iss"]?.stringValue == issuer && payload["kubernetes.io"] != nil) else { throw .notOurs }
        guard header["alg"]?.stringValue == "RS256" else { throw .invalid("unexpected signature algorithm") }
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureData)
        let signed = Data("\(parts[0]).\(parts[1])".utf8)
        guard key.privateKey.publicKey.isValidSignature(signature, for: SHA256.hash(data: signed), padding: .insecurePKCS1v1_5) else {
            throw .invalid("square/go-jose: error in cryptographic primitive")
        }
        if legacy { return try legacyClaims(payload, audiences: audiences) }
        guard let claims = Self.claims(payload) else { throw .invalid("service account token claims could not be read") }
        if now.timeIntervalSince(claims.expiresAt) > Self.leeway { throw .invalid("service account token has expired") }
        if claims.issuedAt.timeIntervalSince(now) > Self.leeway { throw .invalid("service account token is not valid yet") }
        if !audiences.isEmpty, Set(audiences).isDisjoint(with: claims.audiences) {
            throw .invalid("token audiences \(Self.goStrings(claims.audiences)) is invalid for the target audiences \(Self.goStrings(audiences))")
        }
        return claims
    }

    /// A legacy token names no audience: it is good for the API server's own (its implicit audiences).
    func legacyClaims(_ payload: JSON, audiences: [String]) throws(TokenRejection) -> ServiceAccountTokenClaims {
        func claim(_ name: String) -> String { payload["kubernetes.io/serviceaccount/\(name)"]?.stringValue ?? "" }
        let namespace = claim("namespace"), account = claim("service-account.name"), secret = claim("secret.name")
        guard !namespace.isEmpty, !account.isEmpty, !secret.isEmpty else {
            throw .invalid("service account token claims could not be read")
        }
        if !audiences.isEmpty, Set(audiences).isDisjoint(with: apiAudiences) {
            throw .invalid("token audiences \(Self.goStrings(apiAudiences)) is invalid for the target audiences \(Self.goStrings(audiences))")
        }
        var claims = ServiceAccountTokenClaims(
            issuer: LegacyServiceAccountTokenClaims.issuer, audiences: apiAudiences, issuedAt: .distantPast, expiresAt: .distantFuture,
            namespace: namespace, serviceAccount: .init(name: account, uid: claim("service-account.uid")),
            secret: .init(name: secret, uid: ""), id: "")
        claims.legacy = true
        return claims
    }

    static func goStrings(_ values: [String]) -> String { "[" + values.map { FieldError.quote($0) }.joined(separator: " ") + "]" }

    static func claims(_ payload: JSON) -> ServiceAccountTokenClaims? {
        func date(_ key: String) -> Date? { payload[key]?.intValue.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
        func ref(_ key: String) -> ServiceAccountTokenClaims.Reference? {
            guard let r = payload[path: "kubernetes.io", key], let name = r["name"]?.stringValue else { return nil }
            return .init(name: name, uid: r["uid"]?.stringValue ?? "")
        }
        let audiences: [String]
        switch payload["aud"] {
        case .string(let one)?: audiences = [one]
        case .array(let many)?: audiences = many.compactMap(\.stringValue)
        default: audiences = []
        }
        guard let issuedAt = date("nbf") ?? date("iat"), let expiresAt = date("exp"),
              let namespace = payload[path: "kubernetes.io", "namespace"]?.stringValue,
              let account = ref("serviceaccount") else { return nil }
        return ServiceAccountTokenClaims(
            issuer: payload["iss"]?.stringValue ?? "", audiences: audiences, issuedAt: issuedAt, expiresAt: expiresAt,
            warnAfter: payload[path: "kubernetes.io", "warnafter"]?.intValue.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            namespace: namespace, serviceAccount: account, pod: ref("pod"), secret: ref("secret"), node: ref("node"),
            id: payload["jti"]?.stringValue ?? "")
    }
}
