import Foundation

/// Whether this machine can run pods for real: root, util-linux's `unshare` and `nsenter`, and
/// namespaces the kernel lets us create. Probed once at start (`--pod-runtime auto`).
public enum ProcessRuntimeProbe {
    /// The probe's answer, found once (the pods' `Simulated` events repeat it).
    public static let reason: String? = unavailableReason()

    /// nil when pods can run; otherwise why not, as README and the pods' events say it.
    public static func unavailableReason() -> String? {
        guard geteuid() == 0 else { return "Kubelite to run as root" }
        for tool in ["/usr/bin/unshare", "/usr/bin/nsenter"] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) (Debian package util-linux)"
        }
        let trial = Process()
        trial.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        trial.arguments = ["--uts", "--ipc", "--net", "--mount", "--pid", "--fork", "--mount-proc", "/bin/true"]
        trial.standardOutput = FileHandle.nullDevice
        trial.standardError = FileHandle.nullDevice
        do { try trial.runWithoutInheritedDescriptors() } catch { return "unshare to start (\(error))" }
        trial.waitUntilExit()
        return trial.terminationStatus == 0 ? nil : "Linux namespaces (unshare --uts --ipc --net --mount --pid failed)"
    }
}
