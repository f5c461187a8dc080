import APIMachinery

/// Upstream's SetDefaults_PersistentVolumeClaim and _PersistentVolumeClaimSpec, shared by claims and
/// by the claim templates of StatefulSets and ephemeral volumes.
enum PersistentVolumeClaimDefaults {
    static func apply(_ claim: inout JSON) {
        claim.modifyPath("spec") { applySpec(&$0) }
        claim.modifyPath("status") { $0.setDefaultString("phase", "Pending") }
    }

    static func applySpec(_ spec: inout JSON) {
        spec.setDefault("volumeMode", "Filesystem")
        // VolumeResourceRequirements is a struct in Go, so `resources: {}` is always written.
        spec.setDefault("resources", .object([:]))
        spec.modifyObject("resources") { resources in
            for key in ["limits", "requests"] {
                if let list = resources[key] { resources[key] = ResourceListDefaults.canonical(list) }
            }
        }
    }
}
