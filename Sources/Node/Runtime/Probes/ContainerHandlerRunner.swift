import Foundation
import Registry

/// The container a probe or hook acts on: its main process (exec enters its namespaces), what it
/// was started with, and its pod's network namespace (tcpSocket and httpGet connect from inside it).
public struct HandlerTarget: Sendable {
    /// The container instance; exec enters the namespaces of its PID 1 once that has appeared.
    public var container: any RunningContainer
    public var launch: ContainerLaunch
    public var networkNamespacePath: String
    /// The pod's address, which tcpSocket and httpGet dial when the spec names no host (as the
    /// kubelet does); nil for a pod with loopback only.
    public var podIP: String?
    public var containerName: String
    /// `name_namespace(uid)`, as upstream's messages name a pod.
    public var podDescription: String
}

/// How a handler ended: success, or failure with the output or error the kubelet reports.
public struct HandlerOutcome: Sendable, Equatable {
    public var success: Bool
    public var output: String
    /// An exec handler's exit code (hooks' messages name it).
    public var exitCode: Int32?
    public init(success: Bool, output: String, exitCode: Int32? = nil) { self.success = success; self.output = output; self.exitCode = exitCode }
    public static func failure(_ output: String) -> HandlerOutcome { HandlerOutcome(success: false, output: output) }
}

/// Runs probes' and hooks' handlers (upstream's prober and handlerRunner). `completion` is called
/// at most once; the returned closure cancels a handler still running (its completion is then
/// not called, or its result is ignored by the caller).
public protocol ContainerHandlerRunner: Sendable {
    func run(_ handler: ContainerHandler, in target: HandlerTarget, timeout: TimeInterval,
             completion: @escaping @Sendable (HandlerOutcome) -> Void) -> @Sendable () -> Void
}

/// The runner that acts for real: exec through `nsenter` as `kubectl exec` does; tcpSocket and
/// httpGet from a socket opened inside the pod's network namespace, to the spec's host or else the
/// pod's IP as the kubelet dials it (a server listening on loopback only fails its probe, as
/// upstream); a pod with loopback only is dialled at 127.0.0.1.
public struct ProcessHandlerRunner: ContainerHandlerRunner {
    public init() {}

    public func run(_ handler: ContainerHandler, in target: HandlerTarget, timeout: TimeInterval,
                    completion: @escaping @Sendable (HandlerOutcome) -> Void) -> @Sendable () -> Void {
        switch handler {
        case .exec(let command):
            return ExecHandler.run(command, in: target, completion: completion)
        case .tcpSocket(let host, let port):
            let address = host ?? target.podIP ?? "127.0.0.1"
            Thread.detachNewThread {
                completion(NetworkProbe.tcp(host: address, port: port, namespace: target.networkNamespacePath, timeout: timeout))
            }
        case .httpGet(let get):
            Thread.detachNewThread {
                completion(NetworkProbe.http(get, host: get.host ?? target.podIP ?? "127.0.0.1", namespace: target.networkNamespacePath, timeout: timeout))
            }
        case .grpc:
            completion(HandlerOutcome(success: true, output: ""))
        case .sleep(let seconds):
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(seconds)) { completion(HandlerOutcome(success: true, output: "")) }
        }
        // Network handlers end by their socket timeouts; a sleep ends by itself.
        return {}
    }
}

/// An exec handler: the command's combined output, success on exit 0.
enum ExecHandler {
    static func run(_ command: [String], in target: HandlerTarget,
                    completion: @escaping @Sendable (HandlerOutcome) -> Void) -> @Sendable () -> Void {
        let cancelled = Cancellation()
        // A container just started has its PID 1 a moment later (two forks): wait off the kubelet's thread.
        Thread.detachNewThread {
            guard let pid = NodePodConnection.mainPID(target.container) else {
                completion(.failure("container not found (\"\(target.containerName)\")"))
                return
            }
            let session = ExecSession(pid: pid, launch: target.launch, options: PodExecOptions(command: command, stdout: true, stderr: true))
            guard cancelled.set(session) else { return }
            start(session, completion: completion)
        }
        return { cancelled.cancel() }
    }

    private static func start(_ session: ExecSession, completion: @escaping @Sendable (HandlerOutcome) -> Void) {
        let output = OutputBuffer()
        session.start(output: { _, bytes in output.append(bytes) }, exit: { end in
            let text = output.text
            switch end {
            case .exited(let code): completion(HandlerOutcome(success: code == 0, output: text, exitCode: code))
            case .failed(let message): completion(.failure(message))
            }
        })
    }

    /// A cancel that may come before the session exists: the session is then not started.
    final class Cancellation: @unchecked Sendable {
        private var session: ExecSession?
        private var cancelled = false
        private let lock = NSLock()
        /// false when cancelled already.
        func set(_ s: ExecSession) -> Bool { lock.lock(); defer { lock.unlock() }; session = s; return !cancelled }
        func cancel() { lock.lock(); cancelled = true; let s = session; lock.unlock(); s?.cancel() }
    }

    final class OutputBuffer: @unchecked Sendable {
        private var bytes: [UInt8] = []
        private let lock = NSLock()
        func append(_ more: [UInt8]) { lock.lock(); bytes += more.prefix(max(0, 10 * 1024 - bytes.count)); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: bytes, as: UTF8.self) }
    }
}
