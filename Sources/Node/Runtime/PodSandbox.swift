import Foundation
import Synchronization

/// A pod's namespaces, held open by one sleeping process as the pause container holds them:
/// UTS (the pod's hostname), IPC, network (loopback only, so every pod can listen on any port),
/// mount (private propagation, the pod's volumes bind-mounted over the host's filesystem) and PID
/// (the sleeper is PID 1, so killing it ends every container of the pod at once).
///
/// Built on util-linux `unshare`/`nsenter`: Swift cannot unshare in a multithreaded process, and
/// only async-signal-safe calls are allowed after fork. Every sandbox carries `markerVariable` in its
/// environment with the runtime's root, so a later start finds and ends what a crash left.
public final class PodSandbox: @unchecked Sendable {
    public static let markerVariable = "KUBELITE_RUNTIME_ROOT"

    /// A bind mount into the pod's mount namespace.
    public struct Mount: Sendable, Equatable {
        public var source: String
        public var target: String
        public var readOnly: Bool
        public init(source: String, target: String, readOnly: Bool) {
            self.source = source; self.target = target; self.readOnly = readOnly
        }
    }

    public struct StartError: Error, CustomStringConvertible { public var description: String }

    /// The namespaces' owner (PID 1 of the pod's PID namespace), as seen from the host: what
    /// `nsenter -t` enters and what a network plugin attaches to (`/proc/<pid>/ns/net`).
    public let pid: pid_t
    public let hostname: String
    private let unshare: Process?
    private let stopping = Atomic<Bool>(false)

    /// Whether `stop` was called: a container ending after it was killed with the pod.
    public var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// The path of the network namespace, for a network plugin.
    public var networkNamespacePath: String { "/proc/\(pid)/ns/net" }

    /// A sandbox without processes, for launchers that run none (tests).
    static func detached(hostname: String) -> PodSandbox { PodSandbox(pid: 0, hostname: hostname, unshare: nil) }

    private init(pid: pid_t, hostname: String, unshare: Process?) {
        self.pid = pid; self.hostname = hostname; self.unshare = unshare
    }

    /// Creates the namespaces and returns once the hostname is set, loopback is up and every mount
    /// is in place (the setup script says `ready`), so containers entered afterwards see them all.
    public static func start(hostname: String, mounts: [Mount], runtimeRoot: String, timeout: TimeInterval = 10) throws(StartError) -> PodSandbox {
        // Mount targets are created on the host when missing: without a rootfs of its own the pod
        // shares the host's directories underneath its mounts.
        var script = "set -e; hostname \"$1\"; ip link set lo up 2>/dev/null || true; shift\n"
        script += "while [ $# -ge 3 ]; do mkdir -p \"$2\"; mount --bind \"$1\" \"$2\"; "
        script += "if [ \"$3\" = ro ]; then mount -o remount,bind,ro \"$2\"; fi; shift 3; done\n"
        script += "echo ready; exec sleep infinity"
        var arguments = ["--uts", "--ipc", "--net", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private",
                         "--kill-child", "--", "/bin/sh", "-c", script, "sandbox", hostname]
        for m in mounts { arguments += [m.source, m.target, m.readOnly ? "ro" : "rw"] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = arguments
        process.environment = ["PATH": ContainerLaunch.defaultPath, markerVariable: runtimeRoot]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw StartError(description: "starting unshare: \(error)") }
        // `ready` or EOF (the script failed): read until one of them.
        let line = String(decoding: out.fileHandleForReading.readLine(), as: UTF8.self)
        guard line == "ready" else {
            process.terminate()
            let message = String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
            throw StartError(description: "creating the pod sandbox failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let child = ProcFS.children(of: process.processIdentifier).first {
                return PodSandbox(pid: child, hostname: hostname, unshare: process)
            }
            usleep(1000)
        }
        process.terminate()
        throw StartError(description: "the pod sandbox did not start within \(timeout) s")
    }

    /// Ends every process of the pod (the kernel kills a PID namespace's processes with its PID 1)
    /// and with them the namespaces and their mounts.
    public func stop() {
        signalStop()
        unshare?.waitUntilExit()
    }

    /// `stop` without waiting: shutdown signals every pod first and then waits for them together.
    public func signalStop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        guard unshare != nil else { return }
        kill(pid, SIGKILL)
    }

    /// The `nsenter` arguments that put a process into the namespaces of `pid` (the sandbox's or
    /// a container's) in `workingDir`.
    static func enter(pid: pid_t, workingDir: String) -> [String] {
        ["-t", String(pid), "-u", "-i", "-n", "-m", "-p", "--wd=\(workingDir)", "--"]
    }
}

extension FileHandle {
    /// Calls `body` with each chunk read until EOF or an error (EIO is how a pseudo-terminal's
    /// parent side ends); `availableData` would trap on the error instead.
    func forEachChunk(_ body: ([UInt8]) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = Glibc.read(fileDescriptor, &buffer, buffer.count)
            if n > 0 { body(Array(buffer[..<n])); continue }
            if n < 0, errno == EINTR { continue }
            return
        }
    }

    /// Bytes up to a newline (not included) or EOF; used once per sandbox, on a few bytes.
    func readLine() -> [UInt8] {
        var line: [UInt8] = []
        while true {
            let byte = readData(ofLength: 1)
            guard let b = byte.first, b != UInt8(ascii: "\n") else { return line }
            line.append(b)
        }
    }
}
