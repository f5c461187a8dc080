import APIMachinery
import Foundation
import HTTPServer
import Registry
import Synchronization

/// One exec or attach over WebSocket: frames from the client go to the container's session by
/// channel; the session's output goes back as channel frames; at the end the Status goes on the
/// error channel and the WebSocket closes with 1000, as upstream's streaming server ends.
final class RemoteCommandSession: WebSocketHandler {
    private let channels: RemoteCommandProtocol
    private let command: [String]
    /// Asks the node for the session. Called once the connection is upgraded, not before: a client
    /// that leaves before the 101 then leaves no process behind.
    private let connect: @Sendable () throws(APIError) -> any ContainerStreamSession
    private let state = Mutex(State())

    private struct State {
        var session: (any ContainerStreamSession)?
        var finished = false
    }

    init(channels: RemoteCommandProtocol, command: [String],
         connect: @escaping @Sendable () throws(APIError) -> any ContainerStreamSession) {
        self.channels = channels; self.command = command; self.connect = connect
    }

    private var session: (any ContainerStreamSession)? { state.withLock { $0.session } }

    func opened(_ connection: WebSocketConnection) {
        let session: any ContainerStreamSession
        do {
            session = try connect()
        } catch {
            // The node's refusal goes in-band: kubectl and the Python client print an error-channel
            // Status, while a refused upgrade only makes kubectl retry over SPDY.
            finish(connection, payload: channels.errorChannelPayload(error))
            return
        }
        state.withLock { $0.session = session }
        session.start(output: { stream, bytes in
            guard !bytes.isEmpty else { return }
            connection.send(binary: [stream.rawValue] + bytes)
        }, exit: { [self] exit in
            finish(connection, payload: channels.errorChannelPayload(exit, command: command))
        })
    }

    func received(_ connection: WebSocketConnection, binary: Bool, payload: [UInt8]) {
        // Text frames are read as binary ones, as upstream's server does: the Python client sends
        // str stdin as text frames (channel character first).
        guard let channel = payload.first, let session else { return }
        let data = Array(payload.dropFirst())
        switch channel {
        case ContainerStream.stdin.rawValue:
            if !data.isEmpty { session.writeStdin(data) }
        case RemoteCommandProtocol.resizeChannel where channels.hasResize:
            if let size = Self.terminalSize(data) { session.resize(width: size.width, height: size.height) }
        case RemoteCommandProtocol.closeChannel where channels.hasClose:
            // v5: [255, n] closes the client's stream n; only stdin is the client's to close.
            if data.first == ContainerStream.stdin.rawValue { session.closeStdin() }
        default:
            break
        }
    }

    func closed(_ connection: WebSocketConnection) {
        // The client left before the end: stop the command, as the kubelet does.
        let unfinished = state.withLock { state -> (any ContainerStreamSession)? in
            defer { state.finished = true }
            return state.finished ? nil : state.session
        }
        unfinished?.cancel()
    }

    private func finish(_ connection: WebSocketConnection, payload: [UInt8]?) {
        let first = state.withLock { state in defer { state.finished = true }; return !state.finished }
        guard first else { return }
        if let payload { connection.send(binary: [RemoteCommandProtocol.errorChannel] + payload) }
        connection.close(code: 1000)
    }

    /// `{"Width":W,"Height":H}` (remotecommand.TerminalSize).
    static func terminalSize(_ data: [UInt8]) -> (width: UInt16, height: UInt16)? {
        guard let value = try? JSONParser.parse(data).value,
              case .int(let w)? = value[path: "Width"], case .int(let h)? = value[path: "Height"],
              let width = UInt16(exactly: w), let height = UInt16(exactly: h) else { return nil }
        return (width, height)
    }
}
