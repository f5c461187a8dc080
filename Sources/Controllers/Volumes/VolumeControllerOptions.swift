import ControllerRuntime
import Foundation

/// How the volume controllers behave; `kubelite serve` fills it from its command line.
public struct VolumeControllerOptions: Sendable {
    /// Provisioner names the simulated provisioner serves (`--provisioners`); nil serves every
    /// StorageClass, whatever its provisioner. A class whose provisioner is not served keeps its
    /// claims Pending, as on a cluster where that external provisioner is not running.
    public var provisioners: Set<String>?
    /// Whether the default StorageClass `standard` is created when the controllers start.
    public var createsDefaultStorageClass: Bool
    /// Directory under which provisioned hostPath volumes are said to live.
    public var hostPathRoot: String
    /// How often every claim and volume is looked at again (upstream's PV controller resyncs
    /// every 15 s), so a claim waiting on something nobody announces is retried.
    public var resyncPeriod: Duration

    public init(provisioners: Set<String>? = nil, createsDefaultStorageClass: Bool = true,
                hostPathRoot: String = "/var/lib/kubelite/volumes", resyncPeriod: Duration = .seconds(15)) {
        self.provisioners = provisioners
        self.createsDefaultStorageClass = createsDefaultStorageClass
        self.hostPathRoot = hostPathRoot
        self.resyncPeriod = resyncPeriod
    }

    /// Options from the `--provisioners` flag: a comma-separated list of provisioner names; an
    /// absent or empty value serves every class.
    public static func parsing(provisioners flag: String?) -> VolumeControllerOptions {
        let names = (flag ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return VolumeControllerOptions(provisioners: names.isEmpty ? nil : Set(names))
    }

    /// Whether the simulated provisioner provisions volumes for `provisioner`.
    public func serves(_ provisioner: String) -> Bool {
        guard !provisioner.isEmpty else { return false }
        return provisioners?.contains(provisioner) ?? true
    }
}
