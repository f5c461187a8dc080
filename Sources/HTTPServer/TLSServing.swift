/// HTTPS for the daemon (libmicrohttpd's GnuTLS support): the serving certificate chain and key as
/// PEM, and the authorities whose client certificates are asked for.
///
/// Like kube-apiserver (`tls.RequestClientCert` whenever a client CA is configured), a client
/// certificate is requested, never required, and the handshake does not judge it: a client without one
/// may still authenticate with a token or be anonymous, and one with a bad certificate is answered
/// 401 by the authenticator rather than cut off with a TLS alert.
public struct TLSServing: Sendable, Equatable {
    /// The serving certificate, followed by any intermediates (PEM).
    public var certificateChainPEM: String
    /// The serving certificate's private key (PEM, PKCS#1 or PKCS#8).
    public var privateKeyPEM: String
    /// Certificates named in the handshake's CertificateRequest as acceptable issuers; nil asks for no
    /// client certificate.
    public var clientCertificateAuthoritiesPEM: String?

    public init(certificateChainPEM: String, privateKeyPEM: String, clientCertificateAuthoritiesPEM: String? = nil) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.clientCertificateAuthoritiesPEM = clientCertificateAuthoritiesPEM
    }
}
