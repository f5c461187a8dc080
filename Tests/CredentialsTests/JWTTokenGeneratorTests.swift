import _CryptoExtras
import APIMachinery
import Crypto
@testable import Credentials
import Foundation
import Registry
import X509
import XCTest

final class JWTTokenGeneratorTests: XCTestCase {
    static let key = try! ServiceAccountSigningKey.generate()

    func claims() -> ServiceAccountTokenClaims {
        ServiceAccountTokenClaims(
            issuer: JWTTokenGenerator.defaultIssuer, audiences: ["https://kubernetes.default.svc.cluster.local"],
            issuedAt: Date(timeIntervalSince1970: 1_700_000_000), expiresAt: Date(timeIntervalSince1970: 1_700_003_600),
            namespace: "team-a", serviceAccount: .init(name: "builder", uid: "sa-uid"),
            pod: .init(name: "web-0", uid: "pod-uid"), id: "jti-1")
    }

    func decode(_ segment: Substring) throws -> JSON {
        let data = try XCTUnwrap(Base64URLText.decode(String(segment)))
        return try JSONParser.parse(Array(data)).value
    }

    func testTokenIsAnRS256JWSVerifiableWithThePublishedKey() throws {
        let generator = JWTTokenGenerator(key: Self.key)
        let token = try generator.generateToken(claims())
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        XCTAssertEqual(parts.count, 3)
        let header = try decode(parts[0])
        XCTAssertEqual(header["alg"]?.stringValue, "RS256")
        XCTAssertEqual(header["kid"]?.stringValue, Self.key.keyID)

        // Verify with the key rebuilt from the JWKS document, as a relying party would.
        let jwk = try XCTUnwrap(generator.jwks()["keys"]?.arrayValue?.first)
        XCTAssertEqual(jwk["kid"]?.stringValue, Self.key.keyID)
        let n = try XCTUnwrap(Base64URLText.decode(try XCTUnwrap(jwk["n"]?.stringValue)))
        let e = try XCTUnwrap(Base64URLText.decode(try XCTUnwrap(jwk["e"]?.stringValue)))
        let publicKey = try _RSA.Signing.PublicKey(n: n, e: e)
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try XCTUnwrap(Base64URLText.decode(String(parts[2]))))
        let signed = Data("\(parts[0]).\(parts[1])".utf8)
        XCTAssertTrue(publicKey.isValidSignature(signature, for: SHA256.hash(data: signed), padding: .insecurePKCS1v1_5))
        XCTAssertFalse(publicKey.isValidSignature(signature, for: SHA256.hash(data: Data("tampered".utf8)), padding: .insecurePKCS1v1_5))
    }

    func testClaimsAreUpstreams() throws {
        let token = try JWTTokenGenerator(key: Self.key).generateToken(claims())
        let payload = try decode(token.split(separator: ".")[1])
        XCTAssertEqual(payload["iss"]?.stringValue, "https://kubernetes.default.svc.cluster.local")
        XCTAssertEqual(payload["sub"]?.stringValue, "system:serviceaccount:team-a:builder")
        XCTAssertEqual(payload["aud"]?.arrayValue?.compactMap(\.stringValue), ["https://kubernetes.default.svc.cluster.local"])
        XCTAssertEqual(payload["exp"]?.intValue, 1_700_003_600)
        XCTAssertEqual(payload["iat"]?.intValue, 1_700_000_000)
        XCTAssertEqual(payload["nbf"]?.intValue, 1_700_000_000)
        XCTAssertEqual(payload["jti"]?.stringValue, "jti-1")
        let kubernetes = try XCTUnwrap(payload["kubernetes.io"])
        XCTAssertEqual(kubernetes["namespace"]?.stringValue, "team-a")
        XCTAssertEqual(kubernetes[path: "serviceaccount", "name"]?.stringValue, "builder")
        XCTAssertEqual(kubernetes[path: "serviceaccount", "uid"]?.stringValue, "sa-uid")
        XCTAssertEqual(kubernetes[path: "pod", "name"]?.stringValue, "web-0")
        XCTAssertNil(kubernetes["secret"])
        XCTAssertNil(kubernetes["warnafter"])
    }

    func testCredentialsAreMadeOnceAndKeptPrivate() throws {
        let directory = NSTemporaryDirectory() + "kubelite-credentials-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try ClusterCredentials.load(directory: directory)
        let second = try ClusterCredentials.load(directory: directory)
        XCTAssertEqual(first.serviceAccountKey.keyID, second.serviceAccountKey.keyID)
        XCTAssertEqual(first.certificateAuthority.certificatePEM, second.certificateAuthority.certificatePEM)
        for (file, mode) in [("sa.key", 0o600), ("ca.key", 0o600), ("ca.crt", 0o644)] {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/pki/" + file)
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, mode, file)
        }
        let pki = try FileManager.default.attributesOfItem(atPath: directory + "/pki")
        XCTAssertEqual((pki[.posixPermissions] as? NSNumber)?.intValue, 0o700)
    }

    func testUnreadableKeyStopsLoading() throws {
        let directory = NSTemporaryDirectory() + "kubelite-credentials-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/pki", withIntermediateDirectories: true)
        try "not a key".write(toFile: directory + "/pki/sa.key", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ClusterCredentials.load(directory: directory))
    }

    func testCAIsASelfSignedCertificateAuthority() throws {
        let ca = try ClusterCertificateAuthority.generate()
        let certificate = try Certificate(pemEncoded: ca.certificatePEM)
        XCTAssertEqual(certificate.subject, certificate.issuer)
        XCTAssertEqual(certificate.subject.description, "CN=kubernetes")
        let constraints = try XCTUnwrap(certificate.extensions.basicConstraints)
        XCTAssertEqual(constraints, .isCertificateAuthority(maxPathLength: nil))
        XCTAssertTrue(certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        XCTAssertTrue(ca.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
    }
}
