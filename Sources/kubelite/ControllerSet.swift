import Controllers

/// The controllers `kubelite serve` runs, as kube-controller-manager, the scheduler and the kubelet
/// would on a cluster.
enum ControllerSet {
    static func all() -> [any Controller] {
        [GarbageCollector(), StatefulSetController()]
    }
}
