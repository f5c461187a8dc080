import Foundation

/// `net.ipv4.ip_forward`: Service traffic from pods is routed (in by the bridge, DNATed, out by the
/// bridge), which the kernel does only with forwarding on. A service proxy turns it on and the last
/// Kubelite on the host to stop its proxy puts back the value the first one found. That value is
/// kept in `savedPath` (on /run, which a reboot clears as it resets the setting), so it survives a
/// crash and is shared by every Kubelite of the host, whatever its data dir.
enum IPForwarding {
    static let sysctl = "/proc/sys/net/ipv4/ip_forward"
    static let savedPath = "/run/kubelite-ip_forward.saved"

    static var current: String? {
        (try? String(contentsOfFile: sysctl, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Turns forwarding on, keeping the value found unless a Kubelite kept one already.
    static func enable() -> Bool {
        guard let value = current else { return false }
        if !FileManager.default.fileExists(atPath: savedPath) {
            guard FileManager.default.createFile(atPath: savedPath, contents: Data(value.utf8)) else { return false }
        }
        return value == "1" || write("1")
    }

    /// Puts back the value kept by `enable`, unless `stillNeeded` (another Kubelite's proxy runs);
    /// true if it did.
    @discardableResult
    static func restore(stillNeeded: Bool) -> Bool {
        guard !stillNeeded,
              let saved = (try? String(contentsOfFile: savedPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines),
              saved == "0" || saved == "1" else { return false }
        _ = write(saved)
        try? FileManager.default.removeItem(atPath: savedPath)
        return true
    }

    private static func write(_ value: String) -> Bool {
        FileManager.default.isWritableFile(atPath: sysctl) && (try? value.write(toFile: sysctl, atomically: false, encoding: .utf8)) != nil
    }
}
