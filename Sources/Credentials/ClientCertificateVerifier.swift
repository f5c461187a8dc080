import Foundation
import SwiftASN1
import X509

/// Upstream's x509 request authenticator (k8s.io/apiserver/pkg/authentication/request/x509): the
/// client's certificate chain must lead, through the intermediates it sent, to one of the client CA's
/// certificates, every certificate within its validity, the leaf allowed for client authentication;
/// then the subject's CN is the user and its O values are the groups (CommonNameUserConversion).
public struct ClientCertificateVerifier: Sendable {
    /// The user a verified certificate names.
    public struct Subject: Sendable, Equatable {
        public var commonName: String
        public var organizations: [String]

        public init(commonName: String, organizations: [String]) {
            self.commonName = commonName
            self.organizations = organizations
        }
    }

    /// Why a presented certificate does not authenticate (logged; the client only sees 401).
    public struct Rejection: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    let roots: [Certificate]
    /// Longest chain followed (Go's verifier has no fixed bound; a client sending hundreds of
    /// certificates must not make the server search them all).
    static let maxDepth = 8

    /// - Parameter clientCAPEM: one or more PEM certificates (`--client-ca-file`).
    public init(clientCAPEM: String) throws {
        let roots = try PEMDocument.parseMultiple(pemString: clientCAPEM).filter { $0.discriminator == "CERTIFICATE" }
            .map { try Certificate(derEncoded: $0.derBytes) }
        guard !roots.isEmpty else { throw Rejection(description: "no certificate in the client CA bundle") }
        self.roots = roots
    }

    /// Verifies `chain` (DER, leaf first, as the TLS handshake delivered it) at `now`.
    public func verify(_ chain: [[UInt8]], now: Date) throws(Rejection) -> Subject {
        guard !chain.isEmpty else { throw Rejection(description: "no client certificate") }
        let presented: [Certificate]
        do { presented = try chain.prefix(Self.maxDepth).map { try Certificate(derEncoded: $0) } } catch {
            throw Rejection(description: "x509: malformed certificate: \(error)")
        }
        let leaf = presented[0]
        if let usage = try? leaf.extensions.extendedKeyUsage, !usage.contains(.clientAuth), !usage.contains(.any) {
            throw Rejection(description: "x509: certificate specifies an incompatible key usage")
        }
        var current = leaf
        var intermediates = Array(presented.dropFirst())
        for _ in 0..<Self.maxDepth {
            try Self.checkValidity(current, now: now)
            if let root = roots.first(where: { $0.subject == current.issuer && $0.publicKey.isValidSignature(current.signature, for: current) }) {
                try Self.checkValidity(root, now: now)
                return try Self.subject(of: leaf)
            }
            guard let index = intermediates.firstIndex(where: { candidate in
                candidate.subject == current.issuer && Self.isAuthority(candidate)
                    && candidate.publicKey.isValidSignature(current.signature, for: current)
            }) else { break }
            current = intermediates.remove(at: index)
        }
        throw Rejection(description: "x509: certificate signed by unknown authority")
    }

    static func checkValidity(_ certificate: Certificate, now: Date) throws(Rejection) {
        if now < certificate.notValidBefore || now > certificate.notValidAfter {
            throw Rejection(description: "x509: certificate has expired or is not yet valid: current time \(now) is outside \(certificate.notValidBefore) – \(certificate.notValidAfter)")
        }
    }

    static func isAuthority(_ certificate: Certificate) -> Bool {
        if case .isCertificateAuthority? = try? certificate.extensions.basicConstraints { return true }
        return false
    }

    /// CommonNameUserConversion: an empty CN authenticates nobody.
    static func subject(of leaf: Certificate) throws(Rejection) -> Subject {
        var commonName = "", organizations: [String] = []
        for rdn in leaf.subject {
            for attribute in rdn {
                if attribute.type == .RDNAttributeType.commonName { commonName = String(attribute.value) ?? "" }
                if attribute.type == .RDNAttributeType.organizationName, let value = String(attribute.value) { organizations.append(value) }
            }
        }
        if commonName.isEmpty { throw Rejection(description: "common name of user in client certificate is empty") }
        return Subject(commonName: commonName, organizations: organizations)
    }
}
