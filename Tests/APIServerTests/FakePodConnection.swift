import APIMachinery
import Foundation
import Registry

/// A node stand-in for exec, attach and logs. Commands are tiny scripts, so tests choose what the
/// "container" does: `hostname` prints the pod name, `printf-both` writes to stdout and stderr,
/// `cat` echoes stdin until it closes, `sh -c 'exit N'` exits N, `wait-resize` prints the first
/// terminal size, `tar` swallows stdin (kubectl cp), `sleep` runs until cancelled. A pod named `simulated` refuses with a Status, as
/// the node does for simulated pods.
final class FakePodConnection: PodConnection, @unchecked Sendable {
    private let lock = NSCondition()
    private(set) var execOptions: [PodExecOptions] = []
    private(set) var logOptions: [PodLogOptions] = []
    private var sessions: [FakeContainerSession] = []
    private var logs: [FakeLogStream] = []
    var logText = "line 1\nline 2\n"
    /// Pod port → a server on the host's loopback, for port-forward (`FakePortForwarder`).
    var forwardedPorts: [UInt16: UInt16] = [:]

    static let simulatedStatus = APIError(code: 400, reason: "BadRequest",
        message: "pod \"simulated\" is simulated: it runs no processes, so there is nothing to exec into")

    func checkStreamable(namespace: String, pod: String, options: PodExecOptions, attach: Bool) throws(APIError) {
        if pod == "simulated" { throw Self.simulatedStatus }
    }

    /// A pod named `refused-late` passes the check and fails as its session starts (a command the
    /// runtime cannot start): the Status goes in band.
    func exec(namespace: String, pod: String, options: PodExecOptions) throws(APIError) -> any ContainerStreamSession {
        if pod == "simulated" || pod == "refused-late" { throw Self.simulatedStatus }
        let session = FakeContainerSession(pod: pod, command: options.command)
        lock.lock(); execOptions.append(options); sessions.append(session); lock.unlock()
        return session
    }

    func attach(namespace: String, pod: String, options: PodExecOptions) throws(APIError) -> any ContainerStreamSession {
        try exec(namespace: namespace, pod: pod, options: PodExecOptions(container: options.container, command: ["cat"],
                 stdin: options.stdin, stdout: options.stdout, stderr: options.stderr, tty: options.tty))
    }

    func logs(namespace: String, pod: String, options: PodLogOptions) throws(APIError) -> any PodLogStream {
        let stream = FakeLogStream(initial: Array(logText.utf8), follow: options.follow)
        lock.lock(); logOptions.append(options); logs.append(stream); lock.unlock()
        return stream
    }

    var lastSession: FakeContainerSession? { lock.lock(); defer { lock.unlock() }; return sessions.last }
    var lastLog: FakeLogStream? { lock.lock(); defer { lock.unlock() }; return logs.last }
    var lastLogOptions: PodLogOptions? { lock.lock(); defer { lock.unlock() }; return logOptions.last }
    var lastExecOptions: PodExecOptions? { lock.lock(); defer { lock.unlock() }; return execOptions.last }
}

extension LiveAPIServer {
    /// A live server whose node connection is `node`, with a one-container pod (`app`) bound to
    /// node-1 per name.
    static func withNode(_ node: FakePodConnection, pods: [String]) throws -> LiveAPIServer {
        let server = try LiveAPIServer()
        server.api.registry.connectPods(node)
        for name in pods {
            let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)],
                             "spec": ["nodeName": "node-1", "containers": [["name": "app", "image": "busybox"]]]]
            let created = server.call("POST", "/api/v1/namespaces/default/pods", body: pod)
            guard created.status == 201 else { throw APIError.internalError("creating pod \(name): \(created.json)") }
        }
        return server
    }
}

/// One scripted exec; its script runs on its own thread, as a node's session delivers output.
final class FakeContainerSession: ContainerStreamSession, @unchecked Sendable {
    enum Input { case stdin([UInt8]), closeStdin, resize(UInt16, UInt16), cancel }
    private let pod: String
    private let command: [String]
    private let lock = NSCondition()
    private var inputs: [Input] = []
    private(set) var cancelled = false
    private var stdinBytes = 0
    /// How many stdin bytes a `tar` session took in.
    var receivedStdin: Int { lock.lock(); defer { lock.unlock() }; return stdinBytes }

    init(pod: String, command: [String]) { self.pod = pod; self.command = command }

    func start(output: @escaping @Sendable (ContainerStream, [UInt8]) -> Void, exit: @escaping @Sendable (ContainerExit) -> Void) {
        let thread = Thread { [self] in exit(run(output)) }
        thread.start()
    }

    private func run(_ output: (ContainerStream, [UInt8]) -> Void) -> ContainerExit {
        switch command.first {
        case "hostname": output(.stdout, Array("\(pod)\n".utf8)); return .exited(code: 0)
        case "printf-both": output(.stdout, Array("out\n".utf8)); output(.stderr, Array("err\n".utf8)); return .exited(code: 0)
        case "sh" where command.count == 3 && command[2].hasPrefix("exit "):
            return .exited(code: Int32(command[2].dropFirst(5)) ?? 1)
        case "cat":
            while true {
                switch next() {
                case .stdin(let bytes): output(.stdout, bytes)
                case .closeStdin: return .exited(code: 0)
                case .cancel: return .failed("cancelled")
                case .resize: continue
                }
            }
        case "wait-resize":
            while true {
                switch next() {
                case .resize(let w, let h): output(.stdout, Array("\(w)x\(h)\n".utf8)); return .exited(code: 0)
                case .cancel: return .failed("cancelled")
                default: continue
                }
            }
        case "tar":
            // kubectl cp's receiving end: swallows stdin until it closes.
            while true {
                switch next() {
                case .stdin(let bytes): lock.lock(); stdinBytes += bytes.count; lock.unlock()
                case .closeStdin: return .exited(code: 0)
                case .cancel: return .failed("cancelled")
                case .resize: continue
                }
            }
        case "sleep":
            while true { if case .cancel = next() { return .failed("cancelled") } }
        default:
            return .failed("starting container process caused: exec: \"\(command.first ?? "")\": executable file not found in $PATH")
        }
    }

    private func next() -> Input {
        lock.lock(); defer { lock.unlock() }
        while inputs.isEmpty { lock.wait() }
        return inputs.removeFirst()
    }

    private func push(_ input: Input) { lock.lock(); inputs.append(input); lock.broadcast(); lock.unlock() }

    func writeStdin(_ bytes: [UInt8]) { push(.stdin(bytes)) }
    func closeStdin() { push(.closeStdin) }
    func resize(width: UInt16, height: UInt16) { push(.resize(width, height)) }
    func cancel() { lock.lock(); cancelled = true; lock.unlock(); push(.cancel) }
    var wasCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }
}

/// A container log: the initial text at once; following, lines the test appends, until `end`.
final class FakeLogStream: PodLogStream, @unchecked Sendable {
    private let lock = NSCondition()
    private var pending: [[UInt8]]
    private var ended: Bool
    private(set) var cancelled = false

    init(initial: [UInt8], follow: Bool) { pending = [initial]; ended = !follow }

    func start(chunk: @escaping @Sendable ([UInt8]) -> Bool, end: @escaping @Sendable () -> Void) {
        Thread { [self] in
            while true {
                lock.lock()
                while pending.isEmpty, !ended, !cancelled { lock.wait() }
                let next = pending.isEmpty ? nil : pending.removeFirst()
                let over = pending.isEmpty && (ended || cancelled)
                lock.unlock()
                if let next, !chunk(next) { break }
                if over { break }
            }
            end()
        }.start()
    }

    func append(_ text: String) { lock.lock(); pending.append(Array(text.utf8)); lock.broadcast(); lock.unlock() }
    func end() { lock.lock(); ended = true; lock.broadcast(); lock.unlock() }
    func cancel() { lock.lock(); cancelled = true; lock.broadcast(); lock.unlock() }
    var wasCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }
}
