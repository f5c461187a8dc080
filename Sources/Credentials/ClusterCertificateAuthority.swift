import _CryptoExtras
import Crypto
import Foundation
import X509

/// The cluster's root CA (kubeadm's `ca.crt`/`ca.key`: CN=kubernetes, valid ten years, a CA that
/// signs certificates). Its certificate is what the `kube-root-ca.crt` ConfigMap publishes in every
/// namespace. Kubelite serves plain HTTP today, so nothing is signed with it yet: the API's serving
/// certificate comes with TLS (issue 17).
public struct ClusterCertificateAuthority: Sendable {
    public let certificatePEM: String
    let keyPEM: String

    /// A new self-signed CA, valid from `now` for ten years (kubeadm's CA validity).
    public static func generate(now: Date = Date()) throws -> ClusterCertificateAuthority {
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let key = Certificate.PrivateKey(rsa)
        let name = try DistinguishedName { CommonName("kubernetes") }
        let extensions = try Certificate.Extensions {
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyCertSign: true))
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            SubjectKeyIdentifier(hash: key.publicKey)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-5 * 60), notValidAfter: now.addingTimeInterval(10 * 365 * 24 * 3600),
            issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: extensions, issuerPrivateKey: key)
        return ClusterCertificateAuthority(certificatePEM: try certificate.serializeAsPEM().pemString + "\n",
                                           keyPEM: rsa.pemRepresentation, verified: ())
    }

    /// Loads a CA written before; both halves must parse.
    public init(certificatePEM: String, keyPEM: String) throws {
        _ = try Certificate(pemEncoded: certificatePEM)
        _ = try _RSA.Signing.PrivateKey(pemRepresentation: keyPEM)
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
    }

    /// Halves just made from each other.
    private init(certificatePEM: String, keyPEM: String, verified: Void) {
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
    }
}
