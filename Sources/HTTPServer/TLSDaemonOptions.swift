import CMicroHTTPD
import Foundation

/// libmicrohttpd's HTTPS options for a `TLSServing`: the PEM texts as C strings it reads while the
/// daemon starts. They are owned here (copied with `strdup`) and freed once the daemon has stopped.
final class TLSDaemonOptions {
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private(set) var items: [MHD_OptionItem] = []

    init(_ tls: TLSServing?) {
        guard let tls else { return }
        add(.HTTPS_MEM_CERT, tls.certificateChainPEM)
        add(.HTTPS_MEM_KEY, tls.privateKeyPEM)
        // A trust list makes libmicrohttpd ask clients for a certificate (GNUTLS_CERT_REQUEST) and
        // name these authorities as acceptable; it never verifies what comes back.
        if let authorities = tls.clientCertificateAuthoritiesPEM { add(.HTTPS_MEM_TRUST, authorities) }
    }

    private func add(_ option: MHD_OPTION, _ text: String) {
        guard let copy = strdup(text) else { return }
        strings.append(copy)
        items.append(MHD_OptionItem(option: option, value: 0, ptr_value: UnsafeMutableRawPointer(copy)))
    }

    func release() {
        for string in strings { free(string) }
        strings = []
        items = []
    }

    deinit { release() }
}
