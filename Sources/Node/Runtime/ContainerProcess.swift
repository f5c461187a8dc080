import Foundation
import Synchronization

/// How a container instance ended, as the kubelet reports it in `state.terminated`.
public struct ContainerTermination: Sendable, Equatable {
    /// The exit status, or 128 + the signal for a process killed by one (137 for SIGKILL).
    public var exitCode: Int32
    public var signal: Int32?
    public var startedAt: Date
    public var finishedAt: Date
    /// `Completed` for exit 0, `Error` otherwise (OOMKilled needs a memory cgroup, which is not
    /// used); `StartError` when the process could not start.
    public var reason: String
    public var message: String?

    public init(exitCode: Int32, signal: Int32? = nil, startedAt: Date, finishedAt: Date, reason: String? = nil, message: String? = nil) {
        self.exitCode = exitCode; self.signal = signal; self.startedAt = startedAt; self.finishedAt = finishedAt
        self.reason = reason ?? (exitCode == 0 ? "Completed" : "Error")
        self.message = message
    }
}

/// Starts pod sandboxes and container processes; the real one uses namespaces, tests use a fake.
public protocol ContainerLauncher: Sendable {
    func startSandbox(hostname: String, mounts: [PodSandbox.Mount], network: PodNetwork.Attachment?, rootDirectory: String?, runtimeRoot: String) throws(PodSandbox.StartError) -> PodSandbox

    /// Starts `launch` in the pod's sandbox writing its output to `logPath`; `exited` is called once,
    /// after the process has exited and its output is in the log.
    func start(_ launch: ContainerLaunch, in sandbox: PodSandbox, logPath: String,
               exited: @escaping @Sendable (ContainerTermination) -> Void) throws(ContainerProcess.StartError) -> any RunningContainer
}

/// A started container instance.
public protocol RunningContainer: AnyObject, Sendable {
    var startedAt: Date { get }
    /// The container's main process as the host sees it (PID 1 of the container's PID
    /// namespace), once it runs; exec enters its namespaces.
    var pid: pid_t? { get }
    /// Sends `signal` to the container's process (the one `nsenter` started in the pod).
    func signal(_ signal: Int32)
    /// Input for a container started with `stdin` (attach); dropped otherwise.
    func writeStdin(_ bytes: [UInt8])
    /// Ends the container's input (EOF on a pipe; a hang-up on a terminal).
    func closeStdin()
    /// Resizes the container's terminal, when it has one.
    func resize(width: UInt16, height: UInt16)
    /// Follows the container's output as it is written (attach), until `unfollow` or the end of
    /// the container's output (`end`); nil when this container cannot be followed so.
    func follow(_ output: @escaping @Sendable (_ stream: String, _ bytes: [UInt8]) -> Void,
                end: @escaping @Sendable () -> Void) -> Int?
    func unfollow(_ token: Int)
}

extension RunningContainer {
    public func writeStdin(_ bytes: [UInt8]) {}
    public func closeStdin() {}
    public func resize(width: UInt16, height: UInt16) {}
    public func follow(_ output: @escaping @Sendable (_ stream: String, _ bytes: [UInt8]) -> Void,
                       end: @escaping @Sendable () -> Void) -> Int? { nil }
    public func unfollow(_ token: Int) {}
}

/// The attached followers of one container's output (what `kubectl attach` shows, as it is
/// written, partial lines included: a shell's prompt has no newline).
final class OutputFollowers: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var followers: [Int: (output: @Sendable (String, [UInt8]) -> Void, end: @Sendable () -> Void)] = [:]
    private var ended = false

    func add(_ output: @escaping @Sendable (String, [UInt8]) -> Void, end: @escaping @Sendable () -> Void) -> Int {
        lock.lock()
        if ended { lock.unlock(); end(); return -1 }
        next += 1
        followers[next] = (output, end)
        let token = next
        lock.unlock()
        return token
    }

    func remove(_ token: Int) { lock.lock(); followers[token] = nil; lock.unlock() }

    func publish(_ stream: String, _ bytes: [UInt8]) {
        lock.lock(); let current = Array(followers.values); lock.unlock()
        for f in current { f.output(stream, bytes) }
    }

    func finish() {
        lock.lock(); ended = true; let current = Array(followers.values); followers = [:]; lock.unlock()
        for f in current { f.end() }
    }
}

/// A container's process: `nsenter` into the pod's namespaces, in the container's working
/// directory and environment, with stdout and stderr written to its CRI log file. Inside, `unshare`
/// gives the container a PID namespace of its own, as runc does, so the container's end ends every
/// process it left behind. Its PID 1 is a shell waiting for the command: util-linux 2.38's unshare
/// reports a child killed by SIGKILL as exit 1, a shell reports 128 + the signal as runc does.
public final class ContainerProcess: RunningContainer, @unchecked Sendable {
    public struct StartError: Error, CustomStringConvertible { public var description: String }

    public let startedAt: Date
    private let process: Process
    /// The container's input: the write end of its stdin pipe, or its terminal's parent side.
    private let input: FileHandle?
    private let terminal: PseudoTerminal?
    private let inputLock = NSLock()
    private var inputClosed = false
    private let followers: OutputFollowers

    private init(process: Process, startedAt: Date, input: FileHandle?, terminal: PseudoTerminal?, followers: OutputFollowers) {
        self.process = process; self.startedAt = startedAt; self.input = input; self.terminal = terminal; self.followers = followers
    }

    public func follow(_ output: @escaping @Sendable (String, [UInt8]) -> Void, end: @escaping @Sendable () -> Void) -> Int? {
        followers.add(output, end: end)
    }

    public func unfollow(_ token: Int) { followers.remove(token) }

    public func writeStdin(_ bytes: [UInt8]) {
        inputLock.lock(); defer { inputLock.unlock() }
        guard !inputClosed, let input else { return }
        try? input.write(contentsOf: Data(bytes))
    }

    public func closeStdin() {
        inputLock.lock(); defer { inputLock.unlock() }
        guard !inputClosed else { return }
        inputClosed = true
        // A terminal's parent side also carries the output: the shell is hung up instead, as when
        // a terminal goes away.
        if terminal != nil { if let target = mainPID { kill(target, SIGHUP) } } else { try? input?.close() }
    }

    public func resize(width: UInt16, height: UInt16) { terminal?.resize(width: width, height: height) }

    /// nsenter → unshare → the container's PID 1 (the waiting shell): each forks the next and
    /// reports its end.
    public var pid: pid_t? {
        ProcFS.children(of: process.processIdentifier).first.flatMap { ProcFS.children(of: $0).first }
    }

    /// The command the container runs (the shell's child).
    var mainPID: pid_t? { pid.flatMap { ProcFS.children(of: $0).first } }

    public func signal(_ signal: Int32) {
        if let target = mainPID ?? pid { kill(target, signal) } else if signal == SIGKILL { kill(process.processIdentifier, signal) }
    }

    /// What runs the command as described above (`"$@"; exit $?` keeps the shell from exec'ing it).
    static let containerInit = ["/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "--",
                                "/bin/sh", "-c", initScript, "container"]

    /// Changes to the working directory (its first argument) inside the pod's mount namespace,
    /// creating it when missing as runtimes do, then runs the command; a directory that cannot be
    /// entered fails as runc's does. Only builtins run before the command in the usual case, so the
    /// shell's one child is the command (`mainPID`).
    static let initScript = "cd -- \"$1\" 2>/dev/null || { mkdir -p -- \"$1\" 2>/dev/null && cd -- \"$1\"; } || { echo \"chdir to cwd (\\\"$1\\\") set in config.json failed: no such file or directory\" >&2; exit 128; }; shift; \"$@\"; exit $?"

    /// The launcher that runs containers for real.
    public struct Launcher: ContainerLauncher {
        public init() {}

        public func startSandbox(hostname: String, mounts: [PodSandbox.Mount], network: PodNetwork.Attachment?, rootDirectory: String?, runtimeRoot: String) throws(PodSandbox.StartError) -> PodSandbox {
            try PodSandbox.start(hostname: hostname, mounts: mounts, network: network, rootDirectory: rootDirectory, runtimeRoot: runtimeRoot)
        }

        public func start(_ launch: ContainerLaunch, in sandbox: PodSandbox, logPath: String,
                          exited: @escaping @Sendable (ContainerTermination) -> Void) throws(StartError) -> any RunningContainer {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
            var arguments = PodSandbox.enter(pid: sandbox.pid) + ContainerProcess.containerInit + [launch.workingDir] + launch.argv
            process.environment = Dictionary(launch.env.map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }, uniquingKeysWith: { _, last in last })
            let log = ContainerLogWriter(path: logPath)
            let done = DispatchGroup()
            let startedAt = Date()
            var outputs: [(FileHandle, String)] = []
            var input: FileHandle?
            var closeAfterStart: [FileHandle] = []
            let terminal = launch.tty ? PseudoTerminal.open() : nil
            if let terminal {
                // As runc with `terminal: true`: the terminal is the process's stdio and controlling
                // terminal (its session is made inside the container's PID namespace, so that a
                // shell finds its own process group there); what it shows is the stdout.
                arguments = PodSandbox.enter(pid: sandbox.pid) + ContainerProcess.containerInit + [launch.workingDir]
                    + PodSandbox.newSession + launch.argv
                process.standardInput = terminal.child
                process.standardOutput = terminal.child
                process.standardError = terminal.child
                outputs = [(terminal.parent, "stdout")]
                input = launch.stdin ? terminal.parent : nil
            } else {
                let out: ChildPipe, err: ChildPipe
                do { out = try ChildPipe(); err = try ChildPipe() } catch { throw StartError(description: error.description) }
                process.standardOutput = out.fileHandleForWriting
                process.standardError = err.fileHandleForWriting
                outputs = [(out.fileHandleForReading, "stdout"), (err.fileHandleForReading, "stderr")]
                closeAfterStart = [out.fileHandleForWriting, err.fileHandleForWriting]
                if launch.stdin {
                    let pipe: ChildPipe
                    do { pipe = try ChildPipe() } catch { throw StartError(description: error.description) }
                    process.standardInput = pipe.fileHandleForReading
                    input = pipe.fileHandleForWriting
                    closeAfterStart.append(pipe.fileHandleForReading)
                } else {
                    process.standardInput = FileHandle.nullDevice
                }
            }
            process.arguments = arguments
            let followers = OutputFollowers()
            for (handle, stream) in outputs {
                done.enter()
                Thread.detachNewThread {
                    handle.forEachChunk {
                        log.write(Data($0), stream: stream)
                        followers.publish(stream, $0)
                    }
                    done.leave()
                }
            }
            done.enter()
            process.terminationHandler = { _ in done.leave() }
            do {
                guard ContainerLaunch.findExecutable(launch.argv[0], env: launch.env) else {
                    // runc's message, which the kubelet shows in the container's waiting state.
                    throw StartError(description: "exec: \"\(launch.argv[0])\": executable file not found in $PATH")
                }
                try process.runWithoutInheritedDescriptors(closingInParent: closeAfterStart)
            } catch {
                // The readers end once the write sides close.
                for handle in closeAfterStart { try? handle.close() }
                followers.finish()
                terminal?.closeChild()
                log.close()
                throw error as? StartError ?? StartError(description: "starting \(launch.argv[0]): \(error)")
            }
            // Our copy of the terminal's child side goes, so its reader ends with the container.
            terminal?.closeChild()
            done.notify(queue: .global()) {
                log.close()
                followers.finish()
                var signaled = process.terminationReason == .uncaughtSignal
                var status = process.terminationStatus
                // Killed with its pod's sandbox: util-linux 2.38 reports a child killed by SIGKILL as
                // exit 1, whichever of nsenter and unshare saw it first.
                if sandbox.isStopping, !signaled, status != 0 { signaled = true; status = SIGKILL }
                exited(ContainerTermination(exitCode: signaled ? 128 + status : status, signal: signaled ? status : nil,
                                            startedAt: startedAt, finishedAt: Date()))
            }
            return ContainerProcess(process: process, startedAt: startedAt, input: input, terminal: terminal, followers: followers)
        }
    }
}
