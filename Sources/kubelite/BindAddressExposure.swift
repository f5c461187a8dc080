import Controllers
import Logging

/// What `--bind-address` exposes. Over plain HTTP anything beyond loopback hands every object
/// (Secrets included) to whoever can reach the address, in clear text; with `--secure-port` the
/// traffic is encrypted and clients authenticated, but until an authorizer is configured every
/// client, anonymous included, may do anything. Say so at start, and name the addresses actually
/// listening, since `0.0.0.0` hides them. Plain HTTP beyond loopback is warned about, not refused:
/// the docker image still serves it that way (issue 17 flips that default).
struct BindAddressExposure {
    let bindAddress: String
    var secure = false

    /// True for addresses only this host reaches: 127.0.0.0/8, `::1`, `localhost`.
    var isLoopback: Bool {
        bindAddress.hasPrefix("127.") || bindAddress == "::1" || bindAddress == "localhost"
    }

    /// The wildcard addresses, which listen on every interface.
    var isWildcard: Bool { ["0.0.0.0", "::", ""].contains(bindAddress) }

    /// The `host:port` endpoints a client can connect to: every up interface's IPv4 address for the
    /// wildcard (the bind address itself if the interfaces cannot be read), else the bind address.
    func endpoints(port: UInt16) -> [String] {
        let hosts = isWildcard ? HostInterfaces.ipv4Addresses() : []
        return (hosts.isEmpty ? [bindAddress] : hosts).map { "\($0):\(port)" }
    }

    /// Logs where the API listens; beyond loopback, first a warning that it is open to anyone there.
    func announce(port: UInt16, logger: Logger) {
        let listening = endpoints(port: port).joined(separator: ", ")
        if !isLoopback, secure {
            logger.warning("--bind-address \(bindAddress) is not a loopback address: clients are authenticated over TLS, but every request, anonymous ones included, is allowed everything; pass --anonymous-auth=false unless the network is trusted")
        } else if !isLoopback {
            logger.warning("--bind-address \(bindAddress) is not a loopback address: the Kubernetes API is served without authentication or authorization, so anyone who can reach this host can read and change every object, Secrets included; bind 127.0.0.1 unless the network is trusted")
        }
        logger.info("listening on \(listening)", metadata: ["bind-address": "\(bindAddress)"])
    }
}
