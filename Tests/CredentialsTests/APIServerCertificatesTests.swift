import Crypto
import Credentials
import Foundation
import X509
import XCTest

/// The serving and admin certificates the cluster CA issues, how they are kept across restarts, and
/// the x509 client-certificate verifier's answers for good and bad chains.
final class APIServerCertificatesTests: XCTestCase {
    static let authority = try! ClusterCertificateAuthority.generate()
    static let otherAuthority = try! ClusterCertificateAuthority.generate()
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "kubelite-pki-\(UUID().uuidString)"
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testServingCertificateNamesTheBindAddressServiceIPAndKubernetesNames() throws {
        let issued = try APIServerCertificates.serving(directory: nil, authority: Self.authority, bindAddress: "10.1.2.3",
                                                       serviceIP: "10.96.0.1", clusterDomain: "example.org")
        let certificate = try Certificate(pemEncoded: issued.certificatePEM)
        XCTAssertEqual(LeafCertificateFile.subjectAlternativeNames(of: certificate), [
            "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.example.org",
            "127.0.0.1", "10.1.2.3", "10.96.0.1",
        ])
        XCTAssertEqual(try certificate.extensions.extendedKeyUsage.map(Array.init), [.serverAuth])
        let ca = try Certificate(pemEncoded: Self.authority.certificatePEM)
        XCTAssertEqual(certificate.issuer, ca.subject)
        XCTAssertTrue(ca.publicKey.isValidSignature(certificate.signature, for: certificate))
    }

    func testTheWildcardBindAddressIsNoSubjectAlternativeName() {
        let names = APIServerCertificates.servingNames(bindAddress: "0.0.0.0", serviceIP: "10.96.0.1", clusterDomain: "cluster.local")
        XCTAssertEqual(names.ipAddresses, ["127.0.0.1", "10.96.0.1"])
    }

    func testServingCertificateIsKeptAcrossRestartsAndReissuedForANewBindAddress() throws {
        let first = try APIServerCertificates.serving(directory: directory, authority: Self.authority, bindAddress: "127.0.0.1",
                                                      serviceIP: "10.96.0.1", clusterDomain: "cluster.local")
        let again = try APIServerCertificates.serving(directory: directory, authority: Self.authority, bindAddress: "127.0.0.1",
                                                      serviceIP: "10.96.0.1", clusterDomain: "cluster.local")
        XCTAssertEqual(first, again)
        let keyMode = try FileManager.default.attributesOfItem(atPath: directory + "/pki/apiserver.key")[.posixPermissions] as? Int
        XCTAssertEqual(keyMode, 0o600)
        let moved = try APIServerCertificates.serving(directory: directory, authority: Self.authority, bindAddress: "10.0.0.7",
                                                      serviceIP: "10.96.0.1", clusterDomain: "cluster.local")
        XCTAssertNotEqual(moved, first)
        XCTAssertTrue(LeafCertificateFile.subjectAlternativeNames(of: try Certificate(pemEncoded: moved.certificatePEM)).contains("10.0.0.7"))
        // A new CA (the pki was replaced) makes the old certificate unusable: issued again.
        let rekeyed = try APIServerCertificates.serving(directory: directory, authority: Self.otherAuthority, bindAddress: "10.0.0.7",
                                                        serviceIP: "10.96.0.1", clusterDomain: "cluster.local")
        XCTAssertNotEqual(rekeyed, moved)
    }

    func testAdminCertificateAuthenticatesAsKubernetesAdminInSystemMasters() throws {
        let admin = try APIServerCertificates.admin(directory: directory, authority: Self.authority)
        XCTAssertEqual(try APIServerCertificates.admin(directory: directory, authority: Self.authority), admin)
        let verifier = try ClientCertificateVerifier(clientCAPEM: Self.authority.certificatePEM)
        let subject = try verifier.verify([Self.der(admin.certificatePEM)], now: Date())
        XCTAssertEqual(subject, .init(commonName: "kubernetes-admin", organizations: ["system:masters"]))
    }

    func testVerifierRefusesExpiredWrongAuthoritySelfSignedAndServerCertificates() throws {
        let verifier = try ClientCertificateVerifier(clientCAPEM: Self.authority.certificatePEM)
        let now = Date()
        let key = P256.Signing.PrivateKey()
        let expired = try Self.authority.sign(publicKey: .init(key.publicKey), commonName: "jane", organizations: [], usage: .client,
                                              notBefore: now.addingTimeInterval(-7200), notAfter: now.addingTimeInterval(-3600))
        XCTAssertThrowsError(try verifier.verify([Self.der(expired)], now: now)) { error in
            XCTAssertTrue("\(error)".contains("expired"), "\(error)")
        }
        let foreign = try Self.otherAuthority.issue(commonName: "jane", usage: .client)
        XCTAssertThrowsError(try verifier.verify([Self.der(foreign.certificatePEM)], now: now)) { error in
            XCTAssertTrue("\(error)".contains("unknown authority"), "\(error)")
        }
        let selfSigned = try Self.selfSigned(commonName: "jane")
        XCTAssertThrowsError(try verifier.verify([selfSigned], now: now)) { error in
            XCTAssertTrue("\(error)".contains("unknown authority"), "\(error)")
        }
        let server = try Self.authority.issue(commonName: "jane", usage: .server(dnsNames: ["x"], ipAddresses: []))
        XCTAssertThrowsError(try verifier.verify([Self.der(server.certificatePEM)], now: now)) { error in
            XCTAssertTrue("\(error)".contains("key usage"), "\(error)")
        }
        XCTAssertThrowsError(try verifier.verify([[0x30, 0x03, 0x01, 0x01]], now: now))
        let anonymous = try Self.authority.issue(commonName: "", usage: .client)
        XCTAssertThrowsError(try verifier.verify([Self.der(anonymous.certificatePEM)], now: now)) { error in
            XCTAssertTrue("\(error)".contains("common name"), "\(error)")
        }
        let future = try Self.authority.sign(publicKey: .init(key.publicKey), commonName: "jane", organizations: [], usage: .client,
                                             notBefore: now.addingTimeInterval(3600), notAfter: now.addingTimeInterval(7200))
        XCTAssertThrowsError(try verifier.verify([Self.der(future)], now: now))
        // The same key and names inside their validity verify: only the dates were wrong above.
        let current = try Self.authority.sign(publicKey: .init(key.publicKey), commonName: "jane", organizations: [], usage: .client,
                                              notBefore: now.addingTimeInterval(-60), notAfter: now.addingTimeInterval(3600))
        XCTAssertEqual(try verifier.verify([Self.der(current)], now: now).commonName, "jane")
    }

    static func der(_ pem: String) throws -> [UInt8] { try der(Certificate(pemEncoded: pem)) }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        let pem = try certificate.serializeAsPEM()
        return pem.derBytes
    }

    static func selfSigned(commonName: String) throws -> [UInt8] {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(commonName) }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-60), notValidAfter: Date().addingTimeInterval(3600),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { try ExtendedKeyUsage([.clientAuth]) },
            issuerPrivateKey: .init(key))
        return try der(certificate)
    }
}
