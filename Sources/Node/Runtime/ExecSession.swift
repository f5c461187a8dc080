import Foundation
import Registry
import Synchronization

/// One `kubectl exec`: the command runs through `nsenter` in the pod's namespaces with the
/// container's environment and working directory, its stdio on pipes, or with a TTY on a
/// pseudo-terminal that `setsid --ctty` makes its controlling terminal.
final class ExecSession: ContainerStreamSession, @unchecked Sendable {
    let process = Process()
    let options: PodExecOptions
    private let stdinPipe: ChildPipe?
    private var outputs: [(FileHandle, ContainerStream)] = []
    /// The child's ends of its pipes, closed here once it runs.
    private var childEnds: [FileHandle] = []
    private var terminal: PseudoTerminal?
    private var startError: String?
    private let lock = NSLock()

    /// Runs `options.command` in the namespaces of the container whose main process is `pid`.
    init(pid: pid_t, launch: ContainerLaunch, options: PodExecOptions) {
        self.options = options
        let argv = options.command
        var arguments = PodSandbox.enter(pid: pid) + PodSandbox.changingDirectory(launch.workingDir) + argv
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        process.environment = Dictionary(launch.env.map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }, uniquingKeysWith: { _, last in last })
        stdinPipe = options.stdin && !options.tty ? try? ChildPipe() : nil
        if let first = argv.first, !ContainerLaunch.findExecutable(first, env: launch.env) {
            // runc's words; the shell's exit code for a command it cannot find.
            startError = "OCI runtime exec failed: exec failed: unable to start container process: exec: \"\(first)\": executable file not found in $PATH: unknown\n"
            return
        }
        if options.tty, let pty = PseudoTerminal.open() {
            terminal = pty
            // The session is made inside the pod's PID namespace: a shell whose terminal's process
            // group lies outside it cannot restore it and exits 2.
            arguments = PodSandbox.enter(pid: pid) + PodSandbox.newSession + PodSandbox.changingDirectory(launch.workingDir) + argv
            process.standardInput = pty.child
            process.standardOutput = pty.child
            process.standardError = pty.child
            outputs = [(pty.parent, .stdout)]
        } else {
            guard let out = try? ChildPipe(), let err = try? ChildPipe() else {
                startError = "creating the command's pipes failed: \(String(cString: strerror(errno)))\n"
                return
            }
            process.standardInput = stdinPipe?.fileHandleForReading ?? FileHandle.nullDevice
            process.standardOutput = options.stdout ? out.fileHandleForWriting : FileHandle.nullDevice
            process.standardError = options.stderr ? err.fileHandleForWriting : FileHandle.nullDevice
            childEnds = [out.fileHandleForWriting, err.fileHandleForWriting] + (stdinPipe.map { [$0.fileHandleForReading] } ?? [])
            if options.stdout { outputs.append((out.fileHandleForReading, .stdout)) }
            if options.stderr { outputs.append((err.fileHandleForReading, .stderr)) }
        }
        process.arguments = arguments
    }

    func start(output: @escaping @Sendable (ContainerStream, [UInt8]) -> Void, exit: @escaping @Sendable (ContainerExit) -> Void) {
        if let startError {
            if options.stderr || options.tty { output(options.tty ? .stdout : .stderr, Array(startError.utf8)) }
            exit(.exited(code: 127))
            return
        }
        let done = DispatchGroup()
        done.enter()
        process.terminationHandler = { _ in done.leave() }
        do {
            try process.runWithoutInheritedDescriptors(closingInParent: childEnds)
        } catch {
            exit(.failed("starting the command failed: \(error)"))
            return
        }
        terminal?.closeChild()
        for (handle, stream) in outputs {
            done.enter()
            Thread.detachNewThread {
                handle.forEachChunk { output(stream, $0) }
                done.leave()
            }
        }
        done.notify(queue: .global()) { [process] in
            let signaled = process.terminationReason == .uncaughtSignal
            exit(.exited(code: signaled ? 128 + process.terminationStatus : process.terminationStatus))
        }
    }

    func writeStdin(_ bytes: [UInt8]) {
        if let terminal { try? terminal.parent.write(contentsOf: Data(bytes)) } else { try? stdinPipe?.fileHandleForWriting.write(contentsOf: Data(bytes)) }
    }

    func closeStdin() {
        lock.lock(); defer { lock.unlock() }
        if let terminal { try? terminal.parent.write(contentsOf: Data([4])) }  // ^D: end of input on a terminal
        try? stdinPipe?.fileHandleForWriting.close()
    }

    func resize(width: UInt16, height: UInt16) { terminal?.resize(width: width, height: height) }

    func cancel() {
        guard process.isRunning else { return }
        let nsenter = process.processIdentifier
        for child in ProcFS.children(of: nsenter) { kill(child, SIGKILL) }
        kill(nsenter, SIGKILL)
    }
}
