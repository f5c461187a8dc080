import Controllers
import Logging

/// What `--bind-address` exposes. Plain HTTP is refused beyond loopback (`Serve.validateServing`);
/// over HTTPS clients are authenticated, but with `--authorization-mode AlwaysAllow` every client,
/// anonymous included, may still do anything, so that is warned about at start. The addresses
/// actually listening are named, since `0.0.0.0` hides them.
struct BindAddressExposure {
    let bindAddress: String
    /// The first authorizer allows every request (AlwaysAllow).
    var allowsEveryone = false

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

    /// Logs where the API listens; beyond loopback, first a warning if anyone there may do anything.
    func announce(port: UInt16, logger: Logger) {
        let listening = endpoints(port: port).joined(separator: ", ")
        if !isLoopback, allowsEveryone {
            logger.warning("--bind-address \(bindAddress) is not a loopback address and --authorization-mode AlwaysAllow lets every request, anonymous ones included, read and change every object, Secrets included; use RBAC (the default) or pass --anonymous-auth=false unless the network is trusted")
        }
        logger.info("listening on \(listening)", metadata: ["bind-address": "\(bindAddress)"])
    }
}
