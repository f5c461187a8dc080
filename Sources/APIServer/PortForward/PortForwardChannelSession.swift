import APIMachinery
import Foundation
import HTTPServer
import Registry
import Synchronization

/// `pods/portforward` over WebSocket with the channel protocol (`v4.channel.k8s.io`, the official
/// Python client's), as the kubelet's websocket.go serves it: for the i-th port of `?ports=`,
/// channel 2i carries data both ways and channel 2i+1 errors to the client; each channel's first
/// frame is the port as two little-endian bytes. Every port is dialled once at the start; the
/// WebSocket closes when every port's connection has ended.
final class PortForwardChannelSession: WebSocketHandler {
    private let ports: [UInt16]
    private let target: any PodPortForwarder
    private let state = Mutex(State())

    private struct State {
        var relays: [PortForwardRelay] = []
        var remaining = 0
        var closed = false
    }

    init(ports: [UInt16], target: any PodPortForwarder) {
        self.ports = ports; self.target = target
    }

    func opened(_ connection: WebSocketConnection) {
        for (i, port) in ports.enumerated() {
            let prefix = [UInt8(truncatingIfNeeded: port), UInt8(port >> 8)]
            connection.send(binary: [UInt8(2 * i)] + prefix)
            connection.send(binary: [UInt8(2 * i + 1)] + prefix)
        }
        let target = self.target
        var relays: [PortForwardRelay] = []
        for (i, port) in ports.enumerated() {
            let data = UInt8(2 * i), errors = UInt8(2 * i + 1)
            relays.append(PortForwardRelay(dial: { () throws(PortForwardFailure) in try target.dial(port: port) },
                                           output: { connection.send(binary: [data], $0) },
                                           done: { [self] failure in
                if let failure {
                    let message = PortForwardMessages.forwardingError(port: port, pod: target.podSandboxID, failure)
                    connection.send(binary: [errors] + Array(message.utf8))
                }
                portEnded(connection)
            }))
        }
        state.withLock { $0.relays = relays; $0.remaining = relays.count }
        relays.forEach { $0.start() }
    }

    func received(_ connection: WebSocketConnection, binary: Bool, payload: [UInt8]) {
        guard let channel = payload.first, channel % 2 == 0 else { return }
        let index = Int(channel / 2)
        let relay = state.withLock { index < $0.relays.count ? $0.relays[index] : nil }
        if payload.count > 1 { relay?.write(Array(payload.dropFirst())) }
    }

    func closed(_ connection: WebSocketConnection) {
        let relays = state.withLock { state -> [PortForwardRelay] in state.closed = true; return state.relays }
        relays.forEach { $0.cancel() }
    }

    private func portEnded(_ connection: WebSocketConnection) {
        let last = state.withLock { state -> Bool in state.remaining -= 1; return state.remaining == 0 }
        if last { connection.close(code: 1000) }
    }
}

/// The kubelet's words for a forwarded connection that failed.
enum PortForwardMessages {
    /// `error forwarding port 6379 to pod <sandbox>, uid : <runtime's error>`: the CRI streaming
    /// server names the pod by its sandbox and knows no uid.
    static func forwardingError(port: UInt16, pod: String, _ failure: PortForwardFailure) -> String {
        "error forwarding port \(port) to pod \(pod), uid : \(failure.description)"
    }
}
