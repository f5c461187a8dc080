import APIMachinery
import Foundation
import Registry

/// The token issuer over credentials that may still be being generated (`PendingCredentials`): the
/// issuer's name is known at once, signing and verifying wait for the key.
public struct DeferredTokenIssuer: ServiceAccountTokenIssuer {
    let credentials: PendingCredentials
    public let issuer: String
    public var apiAudiences: [String] { [issuer] }

    public init(_ credentials: PendingCredentials, issuer: String = JWTTokenGenerator.defaultIssuer) {
        self.credentials = credentials
        self.issuer = issuer
    }

    func generator() throws -> JWTTokenGenerator {
        JWTTokenGenerator(key: try credentials.value.serviceAccountKey, issuer: issuer)
    }

    public func generateToken(_ claims: ServiceAccountTokenClaims) throws -> String {
        try generator().generateToken(claims)
    }

    public func generateLegacyToken(_ claims: LegacyServiceAccountTokenClaims) throws -> String {
        try generator().generateLegacyToken(claims)
    }

    public func verifyToken(_ token: String, audiences: [String], now: Date) throws(TokenRejection) -> ServiceAccountTokenClaims {
        let signer: JWTTokenGenerator
        do { signer = try generator() } catch { throw .invalid("the service account key is not available: \(error)") }
        return try signer.verifyToken(token, audiences: audiences, now: now)
    }

    public func jwks() throws -> JSON { try generator().jwks() }

    public func openIDConfiguration(jwksURI: String) -> JSON {
        JWTTokenGenerator.openIDConfiguration(issuer: issuer, jwksURI: jwksURI)
    }
}
