import ArgumentParser
import HTTPServer
import Logging

/// The flags bounding client connections (issue 12: a few hundred idle sockets used to lock every
/// client out). kube-apiserver has no flags for these (Go's server hard-codes its idle and header
/// timeouts), so they are named for what they do.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("max-connections"),
            help: ArgumentHelp("Client connections held at once (more wait until one closes); 0 fits them under the open-file limit, which is raised to its hard limit at start, keeping a tenth (128 at least) for everything else.", valueName: "connections"))
    var maxConnections: Int = 0

    @Option(name: .customLong("max-connections-per-ip"),
            help: ArgumentHelp("Connections one client address may hold at once (0: no limit); loopback clients are not limited.", valueName: "connections"))
    var maxConnectionsPerIP: Int = 1000

    @Option(name: .customLong("connection-idle-timeout"),
            help: ArgumentHelp("Seconds a connection may stay silent (idle keep-alive, or stalled while sending a request) before it is closed; watches waiting for events are exempt.", valueName: "seconds"))
    var connectionIdleTimeout: Int = 90

    func validate() throws {
        guard maxConnections >= 0 else { throw ValidationError("--max-connections must not be negative") }
        guard maxConnectionsPerIP >= 0 else { throw ValidationError("--max-connections-per-ip must not be negative") }
        guard connectionIdleTimeout > 0 else { throw ValidationError("--connection-idle-timeout must be positive") }
    }

    /// Raises the open-file limit to its hard limit and fits the connection limit under it: at the
    /// open-file limit `accept` fails and no client, `/readyz` included, gets in.
    func apply(to configuration: inout HTTPServerConfiguration, logger: Logger) {
        let descriptors = FileDescriptorLimit.raiseToHardLimit()
        let fitting = FileDescriptorLimit.connectionLimit(for: descriptors)
        if maxConnections > fitting {
            logger.warning("--max-connections \(maxConnections) lowered to \(fitting): the open-file limit is \(descriptors)")
        }
        configuration.connectionLimit = maxConnections == 0 ? fitting : min(maxConnections, fitting)
        configuration.maxConnectionsPerAddress = maxConnectionsPerIP
        configuration.connectionTimeoutSeconds = connectionIdleTimeout
        logger.debug("open-file limit \(descriptors): up to \(configuration.connectionLimit) client connections")
    }
}
