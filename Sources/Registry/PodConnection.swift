import APIMachinery

/// How the API server reaches a pod's containers for `pods/exec`, `pods/attach` and `pods/log`:
/// upstream's pod registry asks the kubelet of the pod's node through a KubeletConnectionInfo and
/// proxies the stream; here the node runs in the same process, so the Registry holds the node's
/// answer to these requests directly. The API server speaks the wire protocols (WebSocket channels,
/// chunked text); the node starts processes and keeps logs. Neither knows the other's side.
public protocol PodConnection: Sendable {
    /// Starts `options.command` in a container of the pod (`kubectl exec`). Throws a Status with
    /// upstream's reason when the pod or container does not exist, is not running, or the pod is
    /// simulated (no process to run a command in).
    func exec(namespace: String, pod: String, options: PodExecOptions) throws(APIError) -> any ContainerStreamSession

    /// What the kubelet refuses before a stream is upgraded (the pod is simulated or completed, the
    /// container is not running), so the client gets the Status as the answer to its upgrade, as
    /// upstream's "container not found" is, and never a stream that opens only to close.
    func checkStreamable(namespace: String, pod: String, options: PodExecOptions, attach: Bool) throws(APIError)

    /// Connects to the main process of a running container (`kubectl attach`).
    func attach(namespace: String, pod: String, options: PodExecOptions) throws(APIError) -> any ContainerStreamSession

    /// A container's log as the kubelet keeps it, from the point `options` asks for; with
    /// `follow`, the stream goes on until the container ends or the reader cancels.
    func logs(namespace: String, pod: String, options: PodLogOptions) throws(APIError) -> any PodLogStream

    /// The way into a running pod's ports (`kubectl port-forward`). Throws a Status when the pod
    /// does not exist, is not running, or is simulated (it has no network namespace to dial in).
    func portForwarder(namespace: String, pod: String) throws(APIError) -> any PodPortForwarder
}

/// The query of an exec or attach request (upstream's PodExecOptions / PodAttachOptions).
public struct PodExecOptions: Sendable, Equatable {
    /// The container; nil means the pod's only container (or its default-container annotation).
    public var container: String?
    /// argv; empty for attach.
    public var command: [String]
    public var stdin: Bool
    public var stdout: Bool
    public var stderr: Bool
    public var tty: Bool

    public init(container: String? = nil, command: [String] = [], stdin: Bool = false, stdout: Bool = true,
                stderr: Bool = true, tty: Bool = false) {
        self.container = container; self.command = command
        self.stdin = stdin; self.stdout = stdout; self.stderr = stderr; self.tty = tty
    }
}

/// The query of a log request (upstream's PodLogOptions), already validated.
public struct PodLogOptions: Sendable, Equatable {
    public var container: String?
    public var follow: Bool
    /// The previous instance's log (after a restart).
    public var previous: Bool
    public var sinceSeconds: Int64?
    /// RFC 3339 time; lines older than it are left out.
    public var sinceTime: String?
    /// Each line prefixed with its RFC 3339 nano timestamp and a space.
    public var timestamps: Bool
    public var tailLines: Int64?
    public var limitBytes: Int64?

    public init(container: String? = nil, follow: Bool = false, previous: Bool = false, sinceSeconds: Int64? = nil,
                sinceTime: String? = nil, timestamps: Bool = false, tailLines: Int64? = nil, limitBytes: Int64? = nil) {
        self.container = container; self.follow = follow; self.previous = previous; self.sinceSeconds = sinceSeconds
        self.sinceTime = sinceTime; self.timestamps = timestamps; self.tailLines = tailLines; self.limitBytes = limitBytes
    }
}

/// The streams of one exec or attach, as the channel protocols carry them.
public enum ContainerStream: UInt8, Sendable {
    case stdin = 0, stdout = 1, stderr = 2
}

/// How an exec ended; the API server turns it into the final Status on the error channel
/// (`Success`, or `Failure` with reason `NonZeroExitCode` and an `ExitCode` cause).
public enum ContainerExit: Sendable, Equatable {
    case exited(code: Int32)
    /// The session could not run to an end (the container went away, the command could not start):
    /// the message goes in the Status.
    case failed(String)
}

/// A running exec or attach. Output and the exit arrive through `start`'s callbacks, on a thread of
/// the session's; callbacks may be slow (they write to the client), the session must not lose
/// output while they run.
public protocol ContainerStreamSession: AnyObject, Sendable {
    /// Begins delivering output; `exit` is called once, after the last output.
    func start(output: @escaping @Sendable (ContainerStream, [UInt8]) -> Void,
               exit: @escaping @Sendable (ContainerExit) -> Void)
    func writeStdin(_ bytes: [UInt8])
    /// The client's stdin ended (v5's close frame, or the connection closing).
    func closeStdin()
    /// A terminal size change (the resize channel), only with a TTY.
    func resize(width: UInt16, height: UInt16)
    /// The client went away: end the session (an exec's process is killed).
    func cancel()
}

/// A container's log as a stream of chunks.
public protocol PodLogStream: AnyObject, Sendable {
    /// Calls `chunk` for each piece of log text in order, then `end` once (not following: after the
    /// text so far; following: when the container ends or after `cancel`). Return false from
    /// `chunk` to stop early (the client went away).
    func start(chunk: @escaping @Sendable ([UInt8]) -> Bool, end: @escaping @Sendable () -> Void)
    func cancel()
}

/// How the node reaches a pod's ports for `pods/portforward` (the CRI's PortForward): connections
/// to `localhost:<port>` inside the pod's network namespace, so a server listening on the pod's
/// loopback only is reached too.
public protocol PodPortForwarder: Sendable {
    /// The name the kubelet gives the pod in forwarding errors ("error forwarding port 6379 to pod
    /// <name>, uid : ..."): with the CRI, its sandbox's id.
    var podSandboxID: String { get }
    /// A connected TCP socket to the port; the caller owns (and closes) the descriptor. Throws the
    /// runtime's message: `failed to execute portforward in network namespace "...": ...`.
    func dial(port: UInt16) throws(PortForwardFailure) -> Int32
}

/// Why a forwarded connection could not be made, in the runtime's words.
public struct PortForwardFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
