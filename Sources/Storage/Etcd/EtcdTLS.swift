import CGnuTLS
import Foundation

/// What kube-apiserver's `--etcd-cafile`, `--etcd-certfile` and `--etcd-keyfile` configure: the CA
/// etcd's certificate must chain to (the system's trust store without one) and the certificate
/// the client presents (etcd's `--client-cert-auth` requires one). Loaded once; GnuTLS shares
/// credentials between sessions read-only, so one instance serves every connection.
public final class EtcdTLSCredentials: @unchecked Sendable {
    let credentials: gnutls_certificate_credentials_t

    /// Reads the PEM files; a file that is missing or does not parse is an error naming it.
    public init(caFile: String?, certFile: String?, keyFile: String?) throws(EtcdTLSError) {
        var allocated: gnutls_certificate_credentials_t?
        guard gnutls_certificate_allocate_credentials(&allocated) == GNUTLS_E_SUCCESS, let allocated else {
            throw EtcdTLSError("cannot allocate GnuTLS credentials")
        }
        credentials = allocated
        if let caFile {
            let count = gnutls_certificate_set_x509_trust_file(credentials, caFile, GNUTLS_X509_FMT_PEM)
            if count < 0 { throw EtcdTLSError("--etcd-cafile \(caFile): \(Self.text(count))") }
            if count == 0 { throw EtcdTLSError("--etcd-cafile \(caFile): no certificate in it") }
        } else {
            let count = gnutls_certificate_set_x509_system_trust(credentials)
            if count < 0 { throw EtcdTLSError("the system's trusted CAs: \(Self.text(count))") }
        }
        switch (certFile, keyFile) {
        case let (cert?, key?):
            let result = gnutls_certificate_set_x509_key_file(credentials, cert, key, GNUTLS_X509_FMT_PEM)
            if result < 0 { throw EtcdTLSError("--etcd-certfile \(cert), --etcd-keyfile \(key): \(Self.text(result))") }
        case (nil, nil): break
        default: throw EtcdTLSError("--etcd-certfile and --etcd-keyfile go together")
        }
    }

    deinit { gnutls_certificate_free_credentials(credentials) }

    static func text(_ code: Int32) -> String { String(cString: gnutls_strerror(code)) }
}

/// Why the etcd TLS files could not be used.
public struct EtcdTLSError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// One TLS session over a connected socket: the handshake verifies etcd's certificate against the
/// credentials' CAs and the member's host name or IP address, then records carry the HTTP bytes.
/// Used by one thread at a time, as its connection is.
final class EtcdTLSSession {
    private let session: gnutls_session_t
    private let endpoint: EtcdEndpoint
    /// The socket's receive and send timeout (nil: none). GnuTLS reports both a timed-out socket
    /// and a record it handled itself (TLS 1.3's session tickets) as GNUTLS_E_AGAIN, even on a
    /// blocking socket: only the time waited tells them apart.
    var timeout: Duration?

    /// Handshakes on `fd`, whose send and receive timeouts (`timeout`) bound the handshake.
    init(fd: Int32, endpoint: EtcdEndpoint, credentials: EtcdTLSCredentials, timeout: Duration) throws(EtcdError) {
        self.endpoint = endpoint
        self.timeout = timeout
        var created: gnutls_session_t?
        guard gnutls_init(&created, UInt32(GNUTLS_CLIENT)) == GNUTLS_E_SUCCESS, let created else {
            throw .unreachable("\(endpoint): cannot start a TLS session")
        }
        session = created
        gnutls_set_default_priority(session)
        gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(credentials.credentials))
        // Checks the chain and that the certificate names the host (an IP address: its IP SANs).
        gnutls_session_set_verify_cert(session, endpoint.host, 0)
        if IPv4Address(endpoint.host) == nil && !endpoint.host.contains(":") {
            gnutls_server_name_set(session, GNUTLS_NAME_DNS, endpoint.host, endpoint.host.utf8.count)
        }
        kubelite_gnutls_set_socket(session, fd)
        let began = ContinuousClock.now
        while true {
            let result = gnutls_handshake(session)
            if result == GNUTLS_E_SUCCESS { return }
            if result == GNUTLS_E_INTERRUPTED { continue }
            if result == GNUTLS_E_AGAIN {
                if timedOut(since: began) { throw .timedOut("\(endpoint): TLS handshake: no answer") }
                continue
            }
            if result == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR {
                throw .unreachable("\(endpoint): TLS: etcd's certificate is not trusted: \(verificationText())")
            }
            throw .unreachable("\(endpoint): TLS handshake: \(EtcdTLSCredentials.text(result))")
        }
    }

    deinit { gnutls_deinit(session) }

    private func verificationText() -> String {
        let status = gnutls_session_get_verify_cert_status(session)
        var out = gnutls_datum_t()
        guard gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) == GNUTLS_E_SUCCESS,
              let data = out.data else { return "status \(status)" }
        defer { kubelite_gnutls_free(data) }
        return String(cString: data)
    }

    /// Whether a GNUTLS_E_AGAIN after waiting since `began` is the socket's timeout.
    private func timedOut(since began: ContinuousClock.Instant) -> Bool {
        guard let timeout else { return false }
        return ContinuousClock.now - began >= timeout - .milliseconds(20)
    }

    /// As recv: the count read, 0 at the end of the stream.
    func receive(_ buffer: UnsafeMutableRawBufferPointer) throws(EtcdError) -> Int {
        let began = ContinuousClock.now
        while true {
            let n = gnutls_record_recv(session, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            let code = Int32(n)
            if code == GNUTLS_E_INTERRUPTED { continue }
            if code == GNUTLS_E_AGAIN {
                if timedOut(since: began) { throw .timedOut("\(endpoint): no answer") }
                continue
            }
            // A peer that closes without close_notify (etcd killed, a shut-down stream) ends the stream.
            if code == GNUTLS_E_PREMATURE_TERMINATION { return 0 }
            throw .unreachable("\(endpoint): TLS: \(EtcdTLSCredentials.text(code))")
        }
    }

    /// As send: the count written.
    func send(_ bytes: UnsafeRawBufferPointer) throws(EtcdError) -> Int {
        let began = ContinuousClock.now
        while true {
            let n = gnutls_record_send(session, bytes.baseAddress, bytes.count)
            if n >= 0 { return n }
            let code = Int32(n)
            if code == GNUTLS_E_INTERRUPTED { continue }
            if code == GNUTLS_E_AGAIN {
                if timedOut(since: began) { throw .timedOut("\(endpoint): send blocked") }
                continue
            }
            throw .unreachable("\(endpoint): TLS: \(EtcdTLSCredentials.text(code))")
        }
    }
}

/// Whether a host is written as an IPv4 address (no SNI for addresses).
private func IPv4Address(_ host: String) -> in_addr? {
    var address = in_addr()
    return inet_pton(AF_INET, host, &address) == 1 ? address : nil
}
