import Foundation
import Synchronization

/// A pod's namespaces, held open by one sleeping process as the pause container holds them:
/// UTS (the pod's hostname), IPC, network (loopback, and `eth0` on the node's bridge when the pod
/// has an address: `PodNetwork`),
/// mount (private propagation, the pod's volumes bind-mounted over the host's filesystem) and PID
/// (the sleeper is PID 1, so killing it ends every container of the pod at once).
///
/// Built on util-linux `unshare`/`nsenter`: Swift cannot unshare in a multithreaded process, and
/// only async-signal-safe calls are allowed after fork. Every sandbox carries `markerVariable` in its
/// environment with the runtime's root, so a later start finds and ends what a crash left.
public final class PodSandbox: @unchecked Sendable {
    public static let markerVariable = "KUBELITE_RUNTIME_ROOT"
    /// The `ip -batch` commands that configure the pod's `eth0`, for the setup script.
    static let networkVariable = "KUBELITE_POD_NETWORK"
    /// Where the pod's own root is built (overlay upper and work directories, the mount point).
    static let rootVariable = "KUBELITE_POD_ROOT"
    /// The file targets to create before mounting (newline-separated), and the mount table's path.
    static let filesVariable = "KUBELITE_POD_FILES"
    static let fstabVariable = "KUBELITE_POD_FSTAB"

    /// Whether this machine can give pods a root of their own (an overlay of `/` with its upper
    /// directory under `directory`): tried once in a throwaway mount namespace.
    public static func overlayRootWorks(in directory: String) -> Bool {
        let trial = "\(directory)/.overlay-trial"
        defer { try? FileManager.default.removeItem(atPath: trial) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                             "set -e; mkdir -p \"$0/u\" \"$0/w\" \"$0/r\"; mount -t overlay overlay -o \"lowerdir=/,upperdir=$0/u,workdir=$0/w\" \"$0/r\"; test -d \"$0/r/usr\"",
                             trial]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.runWithoutInheritedDescriptors() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

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
    /// Left when `unshare` has exited (its termination handler): waiting on it is immediate, where
    /// `Process.waitUntilExit` notices up to 50 ms late.
    private let exited: DispatchGroup
    private let stopping = Atomic<Bool>(false)

    /// Whether `stop` was called: a container ending after it was killed with the pod.
    public var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// The path of the network namespace, for a network plugin.
    public var networkNamespacePath: String { "/proc/\(pid)/ns/net" }

    /// A sandbox without processes, for launchers that run none (tests).
    static func detached(hostname: String) -> PodSandbox { PodSandbox(pid: 0, hostname: hostname, unshare: nil, exited: DispatchGroup()) }

    private init(pid: pid_t, hostname: String, unshare: Process?, exited: DispatchGroup) {
        self.pid = pid; self.hostname = hostname; self.unshare = unshare; self.exited = exited
    }

    /// Creates the namespaces and returns once the hostname is set, loopback is up, every mount
    /// is in place and, with `network`, `eth0` is configured (the setup script says `ready`), so
    /// containers entered afterwards see them all. With `rootDirectory` the pod gets a root of its
    /// own: an overlay of the host's root filesystem (read-only underneath, the pod's writes kept in
    /// `rootDirectory/upper`), with the host's /dev and /sys, a /proc of its PID namespace and its
    /// mounts on top; without it the pod shares the host's filesystem under its mounts.
    public static func start(hostname: String, mounts: [Mount], network: PodNetwork.Attachment? = nil, rootDirectory: String? = nil,
                             runtimeRoot: String, timeout: TimeInterval = 10) throws(StartError) -> PodSandbox {
        // Missing mount targets are created (a directory, or an empty file for a file such as
        // /etc/hosts), in the pod's root when it has one; a symbolic link there (resolv.conf to
        // systemd-resolved's) is replaced by the file mounted. The mounts themselves are two fstab
        // files (`SandboxMountTable`), one `mount --all` each.
        // With a network, the script waits (`go` on stdin) while the host puts the veth's pod end
        // into the new namespace, then configures it (loopback included).
        // With a root of its own, the mounts are made after pivot_root, sources under the old
        // root (/.oldroot), so that a target's path resolves inside the pod's root: /var/run is a
        // link to /run, and resolved before the pivot it led to the host's /run.
        // A source gone missing (a volume removed while the pod starts) would read as a file
        // target, and without a root of its own the sandbox would create that file on the host.
        if let missing = mounts.first(where: { !FileManager.default.fileExists(atPath: $0.source) }) {
            throw StartError(description: "the source \(missing.source) of the mount at \(missing.target) does not exist")
        }
        let table = SandboxMountTable(mounts: mounts, rootDirectory: rootDirectory)
        let tableDirectory = rootDirectory ?? "\(runtimeRoot)/.sandbox-\(UUID().uuidString.prefix(8))"
        defer { if rootDirectory == nil { try? FileManager.default.removeItem(atPath: tableDirectory) } }
        do {
            try FileManager.default.createDirectory(atPath: tableDirectory, withIntermediateDirectories: true)
            try Data(table.root.utf8).write(to: URL(fileURLWithPath: "\(tableDirectory)/root.fstab"))
            try Data(table.mounts.utf8).write(to: URL(fileURLWithPath: "\(tableDirectory)/mounts.fstab"))
        } catch {
            throw StartError(description: "writing the pod's mount table: \(error)")
        }
        let mountsTable = rootDirectory == nil ? "\(tableDirectory)/mounts.fstab"
            : SandboxMountTable.oldRoot + URL(fileURLWithPath: tableDirectory).resolvingSymlinksInPath().path + "/mounts.fstab"
        // The hostname through /proc (a write, not a process); loopback here only without a network.
        var script = "set -e; printf '%s' \"$1\" > /proc/sys/kernel/hostname; shift\n"
        script += "[ -n \"$\(networkVariable)\" ] || ip link set lo up 2>/dev/null || true\n"
        script += "if [ -n \"$\(rootVariable)\" ]; then B=\"$\(rootVariable)\"; R=\"$B/rootfs\"; "
        script += "mkdir -p \"$B/upper\(SandboxMountTable.oldRoot)\" \"$B/work\" \"$R\"; mount --all --fstab \"$B/root.fstab\"; "
        // /proc is mounted before anything reads the mount table (mount and umount do).
        script += "cd \"$R\"; pivot_root . \(SandboxMountTable.oldRoot.dropFirst()); cd /; mount -t proc proc /proc; fi\n"
        script += "[ $# -eq 0 ] || mkdir -p -- \"$@\"\n"
        script += "while IFS= read -r T; do [ -n \"$T\" ] || continue; if [ -n \"$\(rootVariable)\" ] && [ -L \"$T\" ]; then rm -f \"$T\"; fi; "
        script += "[ -e \"$T\" ] || : > \"$T\"; done <<EOF\n$\(filesVariable)\nEOF\n"
        script += "mount --all --fstab \"$\(fstabVariable)\"\n"
        script += "if [ -n \"$\(rootVariable)\" ]; then umount -l \(SandboxMountTable.oldRoot); rmdir \(SandboxMountTable.oldRoot); fi\n"
        script += "echo namespaces\n"
        script += "if [ -n \"$\(networkVariable)\" ]; then read go; [ \"$go\" = go ]; printf '%s\\n' \"$\(networkVariable)\" | ip -batch -; fi\n"
        script += "echo ready; exec sleep infinity"
        let arguments = ["--uts", "--ipc", "--net", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private",
                         "--kill-child", "--", "/bin/sh", "-c", script, "sandbox", hostname] + table.directories
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = arguments
        var environment = ["PATH": ContainerLaunch.defaultPath, markerVariable: runtimeRoot,
                           filesVariable: table.files.joined(separator: "\n"), fstabVariable: mountsTable]
        if let network { environment[networkVariable] = network.podCommands.joined(separator: "\n") }
        if let rootDirectory { environment[rootVariable] = rootDirectory }
        process.environment = environment
        let out: ChildPipe, err: ChildPipe, input: ChildPipe
        do { out = try ChildPipe(); err = try ChildPipe(); input = try ChildPipe() } catch { throw StartError(description: error.description) }
        process.standardOutput = out.fileHandleForWriting
        process.standardError = err.fileHandleForWriting
        process.standardInput = network == nil ? FileHandle.nullDevice : input.fileHandleForReading
        let exited = DispatchGroup()
        exited.enter()
        process.terminationHandler = { _ in exited.leave() }
        do {
            try process.runWithoutInheritedDescriptors(closingInParent: [out.fileHandleForWriting, err.fileHandleForWriting, input.fileHandleForReading])
        } catch {
            throw StartError(description: "starting unshare: \(error)")
        }
        func fail(_ reason: String) -> StartError {
            process.terminate()
            return StartError(description: reason)
        }
        func failure() -> String {
            let message = String(decoding: (try? err.fileHandleForReading.read(upToCount: 4096)) ?? Data(), as: UTF8.self)
            return "creating the pod sandbox failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
        // `namespaces` or EOF (the script failed): read until one of them.
        guard String(decoding: out.fileHandleForReading.readLine(), as: UTF8.self) == "namespaces" else { throw fail(failure()) }
        let deadline = Date().addingTimeInterval(timeout)
        var child: pid_t?
        while child == nil, Date() < deadline {
            child = ProcFS.children(of: process.processIdentifier).first
            if child == nil { usleep(1000) }
        }
        guard let child else { throw fail("the pod sandbox did not start within \(timeout) s") }
        if let network {
            do { try PodNetwork.connect(network, pid: child) } catch { throw fail(error.description) }
            // Not `write(_:)`, which traps on an error (EINTR while Kubelite is being stopped).
            try? input.fileHandleForWriting.write(contentsOf: Data("go\n".utf8))
            try? input.fileHandleForWriting.close()
        }
        guard String(decoding: out.fileHandleForReading.readLine(), as: UTF8.self) == "ready" else { throw fail(failure()) }
        return PodSandbox(pid: child, hostname: hostname, unshare: process, exited: exited)
    }

    /// Ends every process of the pod (the kernel kills a PID namespace's processes with its PID 1)
    /// and with them the namespaces and their mounts.
    public func stop() {
        signalStop()
        if unshare != nil { exited.wait() }
    }

    /// `stop` without waiting: shutdown signals every pod first and then waits for them together.
    public func signalStop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        guard unshare != nil else { return }
        kill(pid, SIGKILL)
    }

    /// The `nsenter` arguments that put a process into the namespaces of `pid` (the sandbox's or
    /// a container's). The working directory is changed inside (`changingDirectory`): util-linux
    /// 2.38's `--wd` opens the directory before entering the mount namespace, which gives the host's
    /// directory underneath a volume mounted there (every redis pod then shared the host's /data).
    static func enter(pid: pid_t) -> [String] {
        ["-t", String(pid), "-u", "-i", "-n", "-m", "-p", "--"]
    }

    /// Makes the command that follows a session leader with its stdin (a terminal) as controlling
    /// terminal; `--wait` reports the command's status if setsid has to fork.
    static let newSession = ["/usr/bin/setsid", "--ctty", "--wait"]

    /// A shell prefix that changes to `workingDir` in the pod's mount namespace and then execs the
    /// command that follows; a directory that cannot be entered fails as runc's does.
    static func changingDirectory(_ workingDir: String) -> [String] {
        ["/bin/sh", "-c", "cd -- \"$0\" 2>/dev/null || { echo \"chdir to cwd (\\\"$0\\\") set in config.json failed: no such file or directory\" >&2; exit 128; }; exec \"$@\"",
         workingDir]
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

    /// Bytes up to a newline (not included), EOF or an error; used twice per sandbox, on a few
    /// bytes. Read directly: `readData(ofLength:)` traps on an error such as EINTR.
    func readLine() -> [UInt8] {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = Glibc.read(fileDescriptor, &byte, 1)
            if n < 0, errno == EINTR { continue }
            guard n == 1, byte != UInt8(ascii: "\n") else { return line }
            line.append(byte)
        }
    }
}
