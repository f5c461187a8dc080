import Foundation

/// The cluster's long-lived secrets, made once per data directory (kubeadm's `pki/`): the service
/// account signing key `pki/sa.key` and the CA `pki/ca.crt` + `pki/ca.key`, private keys 0600 in a
/// 0700 directory. With `--in-memory` they are made at start and live as long as the process.
public struct ClusterCredentials: Sendable {
    public let serviceAccountKey: ServiceAccountSigningKey
    public let certificateAuthority: ClusterCertificateAuthority

    /// Fresh credentials that are never written.
    public static func ephemeral() throws -> ClusterCredentials {
        ClusterCredentials(serviceAccountKey: try .generate(), certificateAuthority: try .generate())
    }

    /// Whether `<directory>/pki` holds both the signing key and the CA (then `load` only reads).
    static func exist(directory: String) -> Bool {
        let pki = directory + "/pki"
        return ["/sa.key", "/ca.crt", "/ca.key"].allSatisfy { FileManager.default.fileExists(atPath: pki + $0) }
    }

    /// Loads `<directory>/pki/...`, creating what is missing. A file that exists but does not
    /// parse is an error (a cluster's tokens and CA must not change behind its clients' backs).
    public static func load(directory: String) throws -> ClusterCredentials {
        let pki = directory + "/pki"
        let saPath = pki + "/sa.key"
        let key: ServiceAccountSigningKey
        if let pem = CredentialFile.read(saPath) {
            do { key = try ServiceAccountSigningKey(pem: pem) } catch {
                throw CredentialFile.Failure(description: "\(saPath) is not an RSA private key: \(error)")
            }
        } else {
            key = try .generate()
            try CredentialFile.write(key.pem, to: saPath, mode: 0o600)
        }
        let (certPath, caKeyPath) = (pki + "/ca.crt", pki + "/ca.key")
        let ca: ClusterCertificateAuthority
        if let certificate = CredentialFile.read(certPath), let caKey = CredentialFile.read(caKeyPath) {
            do { ca = try ClusterCertificateAuthority(certificatePEM: certificate, keyPEM: caKey) } catch {
                throw CredentialFile.Failure(description: "\(certPath) and \(caKeyPath) are not a CA certificate and its key: \(error)")
            }
        } else {
            ca = try .generate()
            try CredentialFile.write(ca.keyPEM, to: caKeyPath, mode: 0o600)
            try CredentialFile.write(ca.certificatePEM, to: certPath, mode: 0o644)
        }
        return ClusterCredentials(serviceAccountKey: key, certificateAuthority: ca)
    }
}
