import APIMachinery

/// /version, as kube-apiserver reports it; kubectl compares the minor version for skew warnings.
/// `kubelite --version` prints the same values, so the binary and the server it runs never disagree.
public enum Version {
    public static let info: JSON = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0", "gitCommit": "kubelite", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "swift6", "compiler": "swiftc", "platform": "linux/amd64",
    ]

    /// The Kubernetes version served (`v1.32.0`), as /version's `gitVersion`.
    public static var gitVersion: String { info["gitVersion"]?.stringValue ?? "" }

    /// One line for `kubelite --version`: the served version first, as `kube-apiserver --version`
    /// prints `Kubernetes v1.32.0`, then the rest of /version that says which build this is.
    public static var line: String {
        func field(_ name: String) -> String { info[name]?.stringValue ?? "" }
        return "kubelite \(gitVersion) (Kubernetes API \(field("major")).\(field("minor")), gitCommit \(field("gitCommit")), "
            + "built \(field("buildDate")) with \(field("compiler")), \(field("platform")))"
    }
}
