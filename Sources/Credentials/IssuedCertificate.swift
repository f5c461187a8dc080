import _CryptoExtras
import Crypto
import Foundation
import SwiftASN1
import X509

/// A leaf certificate the cluster CA signed, with its private key (both PEM): the API server's serving
/// certificate (kubeadm's `apiserver.crt`) or a client certificate such as the admin's.
public struct IssuedCertificate: Sendable, Equatable {
    public let certificatePEM: String
    public let keyPEM: String

    /// What a leaf certificate is for: TLS server (with the names clients may dial) or client
    /// (the user and groups the x509 authenticator reads from CN and O).
    public enum Usage: Sendable {
        case server(dnsNames: [String], ipAddresses: [String])
        case client
    }

    /// kubeadm's leaf validity: one year.
    public static let validity: TimeInterval = 365 * 24 * 3600

    public init(certificatePEM: String, keyPEM: String) {
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
    }
}

extension ClusterCertificateAuthority {
    /// Signs a new P-256 key's certificate for `commonName` and `organizations`. P-256 rather than
    /// kubeadm's RSA 2048: every client handshake pays for the server key's signature, and ECDSA's
    /// costs a small fraction of RSA's.
    public func issue(commonName: String, organizations: [String] = [], usage: IssuedCertificate.Usage,
                      now: Date = Date(), validity: TimeInterval = IssuedCertificate.validity) throws -> IssuedCertificate {
        let leafKey = P256.Signing.PrivateKey()
        let certificate = try sign(publicKey: Certificate.PublicKey(leafKey.publicKey), commonName: commonName,
                                   organizations: organizations, usage: usage, notBefore: now.addingTimeInterval(-5 * 60),
                                   notAfter: now.addingTimeInterval(validity))
        return IssuedCertificate(certificatePEM: try certificate.serializeAsPEM().pemString + "\n", keyPEM: leafKey.pemRepresentation + "\n")
    }

    /// The signing step alone, for any key and validity window (tests make expired certificates with it).
    public func sign(publicKey: Certificate.PublicKey, commonName: String, organizations: [String],
                     usage: IssuedCertificate.Usage, notBefore: Date, notAfter: Date) throws -> Certificate {
        let caCertificate = try Certificate(pemEncoded: certificatePEM)
        let caKey = Certificate.PrivateKey(try _RSA.Signing.PrivateKey(pemRepresentation: keyPEM))
        let subject = try DistinguishedName {
            for organization in organizations { OrganizationName(organization) }
            CommonName(commonName)
        }
        let authorityKeyID = try caCertificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let extensions = try Certificate.Extensions {
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            switch usage {
            case .server: try ExtendedKeyUsage([.serverAuth])
            case .client: try ExtendedKeyUsage([.clientAuth])
            }
            Critical(BasicConstraints.notCertificateAuthority)
            if let authorityKeyID { AuthorityKeyIdentifier(keyIdentifier: authorityKeyID) }
            if case .server(let dnsNames, let ipAddresses) = usage {
                SubjectAlternativeNames(dnsNames.map { GeneralName.dnsName($0) }
                    + ipAddresses.compactMap(Self.ipv4Octets).map { GeneralName.ipAddress(ASN1OctetString(contentBytes: ArraySlice($0))) })
            }
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: caCertificate.subject, subject: subject, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: extensions, issuerPrivateKey: caKey)
    }

    /// The four bytes of a dotted IPv4 address; nil for anything else.
    static func ipv4Octets(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let octets = parts.compactMap { UInt8($0) }
        return octets.count == 4 ? octets : nil
    }
}
