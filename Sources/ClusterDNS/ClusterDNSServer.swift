import Glibc
import ControllerRuntime
import Dispatch
import Foundation
import Synchronization

/// The cluster DNS server: UDP and TCP on one port, answering from the informer caches through
/// `ClusterDNSResolver`. One thread reads UDP, one accepts TCP, and each TCP connection has its
/// own thread (at most `maxTCPConnections`; further connections are closed at once), reading
/// length-prefixed queries until the client closes or stays idle `tcpIdleTimeout` seconds.
///
/// Informers: the server's informers (services, endpoints, namespaces) are requested from the
/// context in `init`. Construct the server before `ControllerManager.start` and that call starts
/// them; otherwise `start()` starts the ones not yet running (an informer starts once, whoever asks
/// first, so the two may run at the same time).
public final class ClusterDNSServer: Sendable {
    public static let maxTCPConnections = 64
    public static let tcpIdleTimeout = 8

    public let resolver: ClusterDNSResolver
    public let handler: DNSQueryHandler
    public let bindAddress: String
    private let requestedPort: UInt16
    private let context: ControllerContext
    private let state = Mutex(State())
    private let threads = DispatchGroup()

    private struct State {
        var udp: Int32 = -1
        var tcp: Int32 = -1
        /// Sockets of the further addresses (`listen(on:)`): pods' resolvers reach the server on their
        /// node's gateway port 53.
        var extra: [Int32] = []
        var wake: (read: Int32, write: Int32) = (-1, -1)
        var port: UInt16 = 0
        var connections: Set<Int32> = []
        var running = false
    }

    /// - Parameters:
    ///   - bindAddress: a numeric IPv4 or IPv6 address (`0.0.0.0`, `127.0.0.1`, `::`).
    ///   - port: the UDP and TCP port; 0 lets the system pick one, read back from `port`.
    public init(context: ControllerContext, bindAddress: String, port: UInt16, clusterDomain: String = "cluster.local",
                podMode: ClusterDNSPodMode = .insecure) {
        self.context = context
        self.bindAddress = bindAddress
        requestedPort = port
        let wildcard = ["0.0.0.0", "::", ""].contains(bindAddress)
        resolver = ClusterDNSResolver(context: context, clusterDomain: clusterDomain, podMode: podMode,
                                      nameserverAddress: wildcard ? "127.0.0.1" : bindAddress)
        handler = DNSQueryHandler(resolver: resolver)
    }

    /// The port both sockets are bound to (the system's pick when 0 was asked); 0 before `start`.
    public var port: UInt16 { state.withLock { $0.port } }

    /// Waits for the caches, binds both sockets and starts serving; does nothing when serving.
    public func start() throws {
        if state.withLock({ $0.running }) { return }
        for informer in resolver.informers where !informer.hasSynced { context.start(informer) }
        for informer in resolver.informers { informer.waitForSync() }

        let (udp, tcp, port) = try bindBoth(address: bindAddress, port: requestedPort)
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            close(udp); close(tcp)
            throw ClusterDNSSocketError("pipe")
        }
        state.withLock {
            $0 = State(udp: udp, tcp: tcp, wake: (pipeFDs[0], pipeFDs[1]), port: port, running: true)
        }
        let wake = pipeFDs[0]
        spawn { [self] in serveUDP(udp, wake: wake) }
        spawn { [self] in acceptTCP(tcp, wake: wake) }
        context.logger.info("cluster DNS serving", metadata: ["address": "\(bindAddress)", "port": "\(port)",
                                                              "domain": "\(resolver.domain)"])
    }

    /// Serves on `address`:`port` as well (UDP and TCP), from the same caches, until `stop`: the
    /// node's pod network gateway on port 53, since a pod's resolv.conf cannot name a port.
    /// Returns the port (the system's pick when 0 was asked).
    @discardableResult
    public func listen(on address: String, port: UInt16) throws -> UInt16 {
        let (udp, tcp, bound) = try bindBoth(address: address, port: port)
        let wake = state.withLock { s -> Int32? in
            guard s.running else { return nil }
            s.extra += [udp, tcp]
            return s.wake.read
        }
        guard let wake else {
            close(udp); close(tcp)
            throw ClusterDNSSocketError(message: "the cluster DNS server is not running")
        }
        spawn { [self] in serveUDP(udp, wake: wake) }
        spawn { [self] in acceptTCP(tcp, wake: wake) }
        context.logger.info("cluster DNS serving", metadata: ["address": "\(address)", "port": "\(bound)", "domain": "\(resolver.domain)"])
        return bound
    }

    /// Stops serving: wakes every thread, closes open connections and the sockets, and returns
    /// once the threads have ended (or after 5 seconds).
    public func stop() {
        let s = state.withLock { s -> State in
            let copy = s
            s.running = false
            for fd in s.connections { shutdown(fd, Int32(SHUT_RDWR)) }
            return copy
        }
        guard s.running else { return }
        var byte: UInt8 = 1
        _ = write(s.wake.write, &byte, 1)
        _ = threads.wait(timeout: .now() + 5)
        for fd in [s.udp, s.tcp, s.wake.read, s.wake.write] + s.extra { close(fd) }
        state.withLock { $0.port = 0 }
    }

    /// Binds UDP then TCP to the same port; when the system picks the port, a pick already taken
    /// for TCP is retried with a new one.
    private func bindBoth(address: String, port requestedPort: UInt16) throws -> (Int32, Int32, UInt16) {
        var lastError: Error?
        for _ in 0..<(requestedPort == 0 ? 16 : 1) {
            let (udp, port) = try DNSSocket.bind(address: address, port: requestedPort, type: DNSSocket.datagram)
            do {
                let (tcp, _) = try DNSSocket.bind(address: address, port: port, type: DNSSocket.stream)
                return (udp, tcp, port)
            } catch {
                close(udp)
                lastError = error
            }
        }
        throw lastError ?? ClusterDNSSocketError(message: "no port available")
    }

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        threads.enter()
        let thread = Thread { [threads] in
            body()
            threads.leave()
        }
        thread.name = "kubelite.dns"
        thread.start()
    }

    private func serveUDP(_ fd: Int32, wake: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65535)
        while DNSSocket.waitReadable(fd, wake: wake) {
            guard let (packet, from, length) = DNSSocket.receive(fd, into: &buffer) else { continue }
            if let response = handler.handle(packet, transport: .udp) {
                DNSSocket.sendDatagram(fd, response, to: from, length: length)
            }
        }
    }

    private func acceptTCP(_ fd: Int32, wake: Int32) {
        while DNSSocket.waitReadable(fd, wake: wake) {
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { continue }
            let admitted = state.withLock { s -> Bool in
                guard s.running, s.connections.count < Self.maxTCPConnections else { return false }
                s.connections.insert(connection)
                return true
            }
            guard admitted else { close(connection); continue }
            DNSSocket.setTimeout(connection, seconds: Self.tcpIdleTimeout)
            spawn { [self] in serveTCP(connection) }
        }
    }

    /// Answers length-prefixed queries on one connection (RFC 7766) until it closes, idles out,
    /// or sends a packet that is dropped.
    private func serveTCP(_ fd: Int32) {
        defer {
            state.withLock { _ = $0.connections.remove(fd) }
            close(fd)
        }
        while let prefix = DNSSocket.readExactly(fd, count: 2) {
            let length = Int(prefix[0]) << 8 | Int(prefix[1])
            guard length > 0, let packet = DNSSocket.readExactly(fd, count: length),
                  let response = handler.handle(packet, transport: .tcp) else { return }
            let framed = [UInt8(response.count >> 8), UInt8(response.count & 0xFF)] + response
            guard DNSSocket.writeAll(fd, framed) else { return }
        }
    }
}
