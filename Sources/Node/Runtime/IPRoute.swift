import Foundation

/// iproute2's `ip`, the real component that builds the pod network: one process per batch of
/// commands (`ip -batch -`), so a pod's veth pair costs one exec.
enum IPRoute {
    static let path = "/usr/sbin/ip"

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs `commands` (one `ip` command line each, without the leading `ip`); stops at the first
    /// that fails and throws its message.
    static func batch(_ commands: [String]) throws(Failure) {
        let (status, output) = run(["-batch", "-"], input: commands.joined(separator: "\n") + "\n")
        guard status == 0 else { throw Failure(description: output.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// `ip` with `arguments`; the exit status and what it printed (stdout and stderr together).
    static func run(_ arguments: [String], input: String? = nil) -> (Int32, String) {
        run(executable: path, arguments, input: input)
    }

    /// Any command the same way (nft for the service proxy).
    static func run(executable path: String, _ arguments: [String], input: String? = nil) -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output: ChildPipe, stdin: ChildPipe
        do { output = try ChildPipe(); stdin = try ChildPipe() } catch { return (-1, "starting \(path): \(error)") }
        process.standardOutput = output.fileHandleForWriting
        process.standardError = output.fileHandleForWriting
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin.fileHandleForReading
        // Not `waitUntilExit()`: it notices the end up to 50 ms late (it polls a run loop), and a
        // pod's start waits on this.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.runWithoutInheritedDescriptors(closingInParent: [output.fileHandleForWriting, stdin.fileHandleForReading])
        } catch {
            return (-1, "starting \(path): \(error)")
        }
        if let input {
            try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        let data = (try? output.fileHandleForReading.readToEnd()) ?? Data()
        exited.wait()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Every IPv4 address on the host as (interface, address/prefix), from `ip -o -4 addr show`.
    static func addresses() -> [(interface: String, cidr: String)] {
        let (status, output) = run(["-o", "-4", "addr", "show"])
        guard status == 0 else { return [] }
        // "3: eth0    inet 10.0.0.2/24 brd 10.0.0.255 scope global eth0\       valid_lft ..."
        return output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4, let inet = fields.firstIndex(of: "inet"), inet + 1 < fields.count else { return nil }
            return (String(fields[1]), String(fields[inet + 1]))
        }
    }

    static func linkExists(_ name: String) -> Bool { run(["link", "show", "dev", name]).0 == 0 }
}
