import APIMachinery

/// Defaults of a PodTemplateSpec embedded in a workload: the pod spec defaults without the
/// pod-only ones, and `metadata.creationTimestamp: null`, which Go writes for the template's
/// zero-valued ObjectMeta and `kubectl get -o yaml` shows on a 1.32 cluster.
enum PodTemplateDefaults {
    static func apply(_ template: inout JSON) {
        template.modifyPath("metadata") { $0.setDefault("creationTimestamp", .null) }
        template.modifyPath("spec") { PodSpecDefaults.apply(&$0, isPod: false) }
    }
}
