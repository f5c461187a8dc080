import Foundation
import SwiftASN1
import X509

/// A leaf certificate kept in the data directory (kubeadm's `pki/apiserver.crt` and `.key`, and the
/// admin's client certificate): reused across restarts while it still fits, issued again when it is
/// missing, unreadable, not signed by the current CA, due to expire within 30 days, or (for the
/// serving certificate) missing a name the server must answer to, such as a new bind address.
public enum LeafCertificateFile {
    static let renewBefore: TimeInterval = 30 * 24 * 3600

    /// The certificate at `<pki>/<name>.crt` + `.key`, issued and written when it does not fit; with
    /// no directory, a new one that is never written.
    public static func loadOrIssue(name: String, directory: String?, authority: ClusterCertificateAuthority,
                                   commonName: String, organizations: [String] = [], usage: IssuedCertificate.Usage,
                                   now: Date = Date()) throws -> IssuedCertificate {
        guard let directory else {
            return try authority.issue(commonName: commonName, organizations: organizations, usage: usage, now: now)
        }
        let certificatePath = directory + "/pki/\(name).crt", keyPath = directory + "/pki/\(name).key"
        if let certificatePEM = CredentialFile.read(certificatePath), let keyPEM = CredentialFile.read(keyPath),
           fits(certificatePEM, authority: authority, commonName: commonName, organizations: organizations, usage: usage, now: now) {
            return IssuedCertificate(certificatePEM: certificatePEM, keyPEM: keyPEM)
        }
        let issued = try authority.issue(commonName: commonName, organizations: organizations, usage: usage, now: now)
        try CredentialFile.write(issued.keyPEM, to: keyPath, mode: 0o600)
        try CredentialFile.write(issued.certificatePEM, to: certificatePath, mode: 0o644)
        return issued
    }

    /// Whether a stored certificate may be served again as it is.
    static func fits(_ pem: String, authority: ClusterCertificateAuthority, commonName: String, organizations: [String],
                     usage: IssuedCertificate.Usage, now: Date) -> Bool {
        guard let certificate = try? Certificate(pemEncoded: pem),
              let ca = try? Certificate(pemEncoded: authority.certificatePEM),
              certificate.issuer == ca.subject, ca.publicKey.isValidSignature(certificate.signature, for: certificate),
              certificate.notValidAfter.timeIntervalSince(now) > renewBefore,
              let subject = try? ClientCertificateVerifier.subject(of: certificate),
              subject.commonName == commonName, subject.organizations == organizations else { return false }
        guard case .server(let dnsNames, let ipAddresses) = usage else { return true }
        return subjectAlternativeNames(of: certificate).isSuperset(of: Set(dnsNames + ipAddresses))
    }

    /// A certificate's DNS names and IPv4 addresses (dotted).
    public static func subjectAlternativeNames(of certificate: Certificate) -> Set<String> {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return [] }
        var found: Set<String> = []
        for name in names {
            switch name {
            case .dnsName(let dns): found.insert(dns)
            case .ipAddress(let octets) where octets.bytes.count == 4: found.insert(octets.bytes.map(String.init).joined(separator: "."))
            default: break
            }
        }
        return found
    }
}
