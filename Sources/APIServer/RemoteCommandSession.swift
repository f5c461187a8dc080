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
    /// The container session, or why there is none (then the client gets the Status in-band: kubectl
    /// and the Python client show an error-channel Status, while a refused upgrade only makes
    /// kubectl retry with SPDY).
    private let session: Result<any ContainerStreamSession, APIError>
    private let finished = Mutex(false)

    init(channels: RemoteCommandProtocol, command: [String], session: Result<any ContainerStreamSession, APIError>) {
        self.channels = channels; self.command = command; self.session = session
    }

    func opened(_ connection: WebSocketConnection) {
        switch session {
        case .failure(let error):
            finish(connection, payload: channels.errorChannelPayload(error))
        case .success(let session):
            session.start(output: { stream, bytes in
                guard !bytes.isEmpty else { return }
                connection.send(binary: [stream.rawValue] + bytes)
            }, exit: { [self] exit in
                finish(connection, payload: channels.errorChannelPayload(exit, command: command))
            })
        }
    }

    func received(_ connection: WebSocketConnection, binary: Bool, payload: [UInt8]) {
        // Text frames are read as binary ones, as upstream's server does: the Python client sends
        // str stdin as text frames (channel character first).
        guard let channel = payload.first, case .success(let session) = session else { return }
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
        let wasFinished = finished.withLock { done in defer { done = true }; return done }
        if !wasFinished, case .success(let session) = session { session.cancel() }
    }

    private func finish(_ connection: WebSocketConnection, payload: [UInt8]?) {
        let first = finished.withLock { done in defer { done = true }; return !done }
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
