import Foundation

/// CPU time and resident memory of every process, grouped by PID namespace, read from /proc in one
/// pass. A container runs in a PID namespace of its own (`ContainerProcess`), so its usage is the
/// sum over that namespace, as a cgroup's would be: the runtime makes no cgroups, so this is what
/// the kubelet's cAdvisor would read from them, approximated.
struct ProcessUsageSnapshot: Sendable {
    struct Usage: Sendable, Equatable {
        /// utime + stime of the live processes plus cutime + cstime (the children they reaped),
        /// in nanoseconds: what a cgroup's cpuacct.usage counts for those processes.
        var cpuNanoseconds: UInt64 = 0
        /// Resident set size in bytes (no cgroup, so no inactive-file correction: RSS stands for
        /// the working set).
        var residentBytes: UInt64 = 0
    }

    /// By the PID namespace link (`pid:[4026532512]`).
    private(set) var byNamespace: [String: Usage] = [:]

    static let ticksPerSecond = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
    static let pageSize = UInt64(max(1, sysconf(Int32(_SC_PAGESIZE))))

    /// Reads every process under `proc` (a test points it elsewhere).
    static func read(proc: String = "/proc") -> ProcessUsageSnapshot {
        var snapshot = ProcessUsageSnapshot()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: proc)) ?? []
        for name in entries where name.first?.isNumber == true {
            guard let namespace = namespaceLink(proc: proc, pid: name),
                  let stat = try? String(contentsOfFile: "\(proc)/\(name)/stat", encoding: .utf8),
                  let cpu = cpuNanoseconds(stat: stat) else { continue }
            let resident = (try? String(contentsOfFile: "\(proc)/\(name)/statm", encoding: .utf8)).flatMap(residentBytes(statm:)) ?? 0
            snapshot.byNamespace[namespace, default: Usage()].cpuNanoseconds &+= cpu
            snapshot.byNamespace[namespace, default: Usage()].residentBytes &+= resident
        }
        return snapshot
    }

    /// The usage of the PID namespace `pid` is in, or nil when the process is gone.
    func usage(ofNamespaceOf pid: pid_t, proc: String = "/proc") -> Usage? {
        Self.namespaceLink(proc: proc, pid: String(pid)).flatMap { byNamespace[$0] }
    }

    static func namespaceLink(proc: String, pid: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "\(proc)/\(pid)/ns/pid")
    }

    /// Fields 14-17 of /proc/PID/stat (utime, stime, cutime, cstime, in clock ticks), counted after
    /// the command name's closing parenthesis since the name may hold spaces.
    static func cpuNanoseconds(stat: String) -> UInt64? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3); utime is field 14.
        guard fields.count >= 15 else { return nil }
        var ticks: UInt64 = 0
        for i in 11...14 { ticks &+= UInt64(fields[i]) ?? 0 }
        return ticks &* (1_000_000_000 / ticksPerSecond)
    }

    /// The second field of /proc/PID/statm (resident pages), in bytes.
    static func residentBytes(statm: String) -> UInt64? {
        let fields = statm.split(separator: " ")
        guard fields.count >= 2, let pages = UInt64(fields[1]) else { return nil }
        return pages &* pageSize
    }
}
