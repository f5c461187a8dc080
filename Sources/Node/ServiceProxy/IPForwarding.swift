import Foundation

/// `net.ipv4.ip_forward`: Service traffic from pods is routed (in by the bridge, DNATed, out by the
/// bridge), which the kernel does only with forwarding on. Kubelite turns it on while its service
/// proxy runs and puts back what it found when it stops; the value found is kept in a file of the
/// runtime root, so a start after a crash puts it back too.
enum IPForwarding {
    static let sysctl = "/proc/sys/net/ipv4/ip_forward"

    static func savedPath(root: String) -> String { root + "/ip_forward.saved" }

    static var current: String? {
        (try? String(contentsOfFile: sysctl, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Turns forwarding on, remembering the previous value (unless a crashed run's is already kept).
    static func enable(root: String) -> Bool {
        guard let value = current else { return false }
        if value == "1", !FileManager.default.fileExists(atPath: savedPath(root: root)) { return true }
        if !FileManager.default.fileExists(atPath: savedPath(root: root)) {
            try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: savedPath(root: root), contents: Data(value.utf8)) else { return false }
        }
        return write("1")
    }

    /// Puts back the value found before `enable` (this run's or a crashed run's); true if it did.
    @discardableResult
    static func restore(root: String) -> Bool {
        let path = savedPath(root: root)
        guard let saved = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines),
              saved == "0" || saved == "1" else { return false }
        _ = write(saved)
        try? FileManager.default.removeItem(atPath: path)
        return true
    }

    private static func write(_ value: String) -> Bool {
        FileManager.default.isWritableFile(atPath: sysctl) && (try? value.write(toFile: sysctl, atomically: false, encoding: .utf8)) != nil
    }
}
