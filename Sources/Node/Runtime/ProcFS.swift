import Foundation

/// What the runtime reads from /proc: children of a process and processes by an environment marker.
enum ProcFS {
    static func children(of pid: pid_t) -> [pid_t] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Processes whose environment holds `variable=value` exactly.
    static func processes(withEnvironment variable: String, value: String) -> [pid_t] {
        let wanted = Array("\(variable)=\(value)".utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> pid_t? in
            guard let pid = pid_t(name), pid != getpid(),
                  let data = FileManager.default.contents(atPath: "/proc/\(name)/environ") else { return nil }
            return data.split(separator: 0).contains { Array($0) == wanted } ? pid : nil
        }
    }

    static func isAlive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 }
}
