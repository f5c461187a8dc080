import Credentials
import Foundation
import HTTPServer
import Registry

/// The x509 authenticator: a TLS client certificate verified against `--client-ca-file` names the
/// user (CN) and groups (O). The TLS layer asked for the certificate without judging it; a request
/// without one is left to the other authenticators.
public struct ClientCertificateAuthenticator: RequestAuthenticator {
    let verifier: ClientCertificateVerifier
    let now: @Sendable () -> Date

    public init(verifier: ClientCertificateVerifier, now: @escaping @Sendable () -> Date = { Date() }) {
        self.verifier = verifier
        self.now = now
    }

    func authenticate(_ request: HTTPRequest) -> AuthenticationOutcome {
        guard !request.peerCertificates.isEmpty else { return .notPresented }
        do {
            let subject = try verifier.verify(request.peerCertificates, now: now())
            return .authenticated(UserInfo(username: subject.commonName, groups: subject.organizations))
        } catch {
            return .rejected("verifying certificate failed: \(error.description)")
        }
    }
}
