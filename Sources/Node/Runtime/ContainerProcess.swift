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

    private init(process: Process, startedAt: Date) { self.process = process; self.startedAt = startedAt }

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
            process.arguments = PodSandbox.enter(pid: sandbox.pid) + ContainerProcess.containerInit
                + [launch.workingDir] + launch.argv
            process.environment = Dictionary(launch.env.map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }, uniquingKeysWith: { _, last in last })
            let out = Pipe(), err = Pipe()
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = out
            process.standardError = err
            let log = ContainerLogWriter(path: logPath)
            let done = DispatchGroup()
            let startedAt = Date()
            for (pipe, stream) in [(out, "stdout"), (err, "stderr")] {
                done.enter()
                Thread.detachNewThread {
                    let handle = pipe.fileHandleForReading
                    handle.forEachChunk { log.write(Data($0), stream: stream) }
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
                try process.run()
            } catch {
                try? out.fileHandleForWriting.close()
                try? err.fileHandleForWriting.close()
                log.close()
                throw error as? StartError ?? StartError(description: "starting \(launch.argv[0]): \(error)")
            }
            done.notify(queue: .global()) {
                log.close()
                var signaled = process.terminationReason == .uncaughtSignal
                var status = process.terminationStatus
                // Killed with its pod's sandbox: util-linux 2.38 reports a child killed by SIGKILL as
                // exit 1, whichever of nsenter and unshare saw it first.
                if sandbox.isStopping, !signaled, status != 0 { signaled = true; status = SIGKILL }
                exited(ContainerTermination(exitCode: signaled ? 128 + status : status, signal: signaled ? status : nil,
                                            startedAt: startedAt, finishedAt: Date()))
            }
            return ContainerProcess(process: process, startedAt: startedAt)
        }
    }
}
