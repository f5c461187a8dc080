import CMicroHTTPD
import Foundation

/// The upgraded (WebSocket) connections of one server: libmicrohttpd requires every upgraded
/// connection to be handed back (`MHD_UPGRADE_ACTION_CLOSE`) before the daemon stops, so stop
/// closes them and waits, bounded, for their readers to end.
final class UpgradedConnections: @unchecked Sendable {
    private let lock = NSCondition()
    private var open: [ObjectIdentifier: WebSocketConnection] = [:]
    static let stopTimeout: TimeInterval = 3

    func add(_ connection: WebSocketConnection) {
        lock.lock(); open[ObjectIdentifier(connection)] = connection; lock.unlock()
    }

    func remove(_ connection: WebSocketConnection) {
        lock.lock(); open[ObjectIdentifier(connection)] = nil; lock.broadcast(); lock.unlock()
    }

    var count: Int { lock.lock(); defer { lock.unlock() }; return open.count }

    func closeAll() {
        lock.lock()
        let connections = Array(open.values)
        lock.unlock()
        for connection in connections { connection.shutdownForStop() }
        let deadline = Date().addingTimeInterval(Self.stopTimeout)
        lock.lock()
        while !open.isEmpty, lock.wait(until: deadline) {}
        lock.unlock()
    }
}

/// What the upgrade callback needs, passed to libmicrohttpd as its opaque context. Retained when
/// the 101 response is made and released by the callback; if the client leaves before the switch
/// the callback never runs and this small object is leaked (libmicrohttpd has no free hook for
/// upgrade responses).
final class UpgradeContext {
    weak var server: MicroHTTPServer?
    let upgrade: WebSocketUpgrade
    init(server: MicroHTTPServer, upgrade: WebSocketUpgrade) { self.server = server; self.upgrade = upgrade }
}

/// libmicrohttpd's upgrade handle, confined to this module; handed back exactly once.
private final class UpgradeHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    func close() { _ = kubelite_upgrade_close(pointer) }
}

extension MicroHTTPServer {
    /// The 101 response for `upgrade`; libmicrohttpd adds `Connection: Upgrade` itself.
    func makeUpgradeResponse(_ upgrade: WebSocketUpgrade) -> OpaquePointer? {
        let context = Unmanaged.passRetained(UpgradeContext(server: self, upgrade: upgrade)).toOpaque()
        return MHD_create_response_for_upgrade(MicroHTTPServer.upgradeHandler, context)
    }

    static let upgradeHandler: MHD_UpgradeHandler = { cls, _, _, extraIn, extraInSize, socket, urh in
        guard let cls, let urh else { return }
        let context = Unmanaged<UpgradeContext>.fromOpaque(cls).takeRetainedValue()
        let handle = UpgradeHandle(urh)
        guard let server = context.server else { handle.close(); return }
        var leftover: [UInt8] = []
        if let extraIn, extraInSize > 0 {
            extraIn.withMemoryRebound(to: UInt8.self, capacity: extraInSize) { leftover = Array(UnsafeBufferPointer(start: $0, count: extraInSize)) }
        }
        // Frames are small and interactive (a keystroke, a forwarded request): no Nagle delay.
        var noDelay: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        let registry = server.upgraded
        let connectionBox = WeakConnection()
        let connection = WebSocketConnection(socket: socket, leftover: leftover, subprotocol: context.upgrade.subprotocol,
                                             handler: context.upgrade.handler, raw: context.upgrade.raw, release: {
            handle.close()
            if let c = connectionBox.value { registry.remove(c) }
        })
        connectionBox.value = connection
        registry.add(connection)
        connection.start()
    }
}

/// Lets the release closure name its connection without a retain cycle.
private final class WeakConnection: @unchecked Sendable {
    weak var value: WebSocketConnection?
}
