import APIMachinery
import Registry

/// The WebSocket subprotocols of exec and attach (k8s.io/apimachinery's remotecommand): every
/// message is binary with the channel in its first byte (0 stdin, 1 stdout, 2 stderr, 3 error,
/// 4 resize, 255 close). Versions differ only in what the error channel carries, whether resize
/// exists, and whether the client can close one stream (v5's close channel).
enum RemoteCommandProtocol: String, CaseIterable, Sendable {
    case v5 = "v5.channel.k8s.io"
    case v4 = "v4.channel.k8s.io"
    case v3 = "v3.channel.k8s.io"
    case v2 = "v2.channel.k8s.io"
    case v1 = "channel.k8s.io"

    static let errorChannel: UInt8 = 3
    static let resizeChannel: UInt8 = 4
    static let closeChannel: UInt8 = 255

    /// The first of the client's offers the server speaks (kubectl 1.32 offers only v5, the Python
    /// client only v4).
    static func negotiate(_ offered: [String]) -> RemoteCommandProtocol? {
        offered.lazy.compactMap(RemoteCommandProtocol.init(rawValue:)).first
    }

    static var names: [String] { allCases.map(\.rawValue) }

    var hasResize: Bool { self == .v5 || self == .v4 || self == .v3 }
    var hasClose: Bool { self == .v5 }

    /// What the error channel carries at the end: v4 and later a Status JSON (success too), as
    /// upstream's `v4WriteStatusFunc`; earlier versions only a failure's message text.
    func errorChannelPayload(_ exit: ContainerExit, command: [String]) -> [UInt8]? {
        switch (self, exit) {
        case (.v5, _), (.v4, _): return JSONWriter.encode(Self.status(exit, command: command))
        case (_, .exited(0)): return nil
        case (_, .exited(let code)): return Array(Self.nonZeroMessage(code, command: command).utf8)
        case (_, .failed(let message)): return Array(message.utf8)
        }
    }

    /// The same for a Status the connection refused the session with.
    func errorChannelPayload(_ error: APIError) -> [UInt8] {
        switch self {
        case .v5, .v4: return JSONWriter.encode(Self.streamStatus(error))
        default: return Array(error.message.utf8)
        }
    }

    /// The final Status as the kubelet's streaming server writes it: a bare metav1.Status (no kind),
    /// `Success`, or `NonZeroExitCode` with the code as an `ExitCode` cause.
    static func status(_ exit: ContainerExit, command: [String]) -> JSON {
        switch exit {
        case .exited(0):
            return ["metadata": .object([:]), "status": "Success"]
        case .exited(let code):
            return [
                "metadata": .object([:]), "status": "Failure",
                "message": .string(nonZeroMessage(code, command: command)),
                "reason": "NonZeroExitCode",
                "details": ["causes": [["reason": "ExitCode", "message": .string(String(code))]]],
            ]
        case .failed(let message):
            return streamStatus(.internalError(message))
        }
    }

    /// containerd's wording inside the kubelet's: `command terminated with non-zero exit code:
    /// error executing command [sh -c exit 3], exit code 3` (Go's %v of the argv).
    static func nonZeroMessage(_ code: Int32, command: [String]) -> String {
        "command terminated with non-zero exit code: error executing command [\(command.joined(separator: " "))], exit code \(code)"
    }

    /// An API error as the streaming server writes it: no kind or apiVersion.
    static func streamStatus(_ error: APIError) -> JSON {
        guard case .object(var object) = error.status else { return error.status }
        object["kind"] = nil
        object["apiVersion"] = nil
        return .object(object)
    }
}
