import ClusterDNS
import ControllerRuntime
import Controllers
import Node

/// The controllers `kubelite serve` runs, as kube-controller-manager and the scheduler would on a
/// cluster (the node's own are `SimulatedNode.kubelet`).
enum ControllerSet {
    /// What kube-controller-manager runs: with leader election, only in the replica holding the
    /// `kube-controller-manager` Lease.
    static func controllerManager(volumes: VolumeControllerOptions, apiServer: APIServerEndpoint?,
                                  rootCA: @escaping @Sendable () -> String) -> [any Controller] {
        [GarbageCollector(), StatefulSetController(), ReplicaSetController(), ReplicaSetController(kind: .replicationController), DeploymentController(),
         DaemonSetController(),
         JobController(), TTLAfterFinishedController(), CronJobController(),
         ServiceAccountsController(), RootCACertPublisher(rootCA: rootCA), DisruptionController(), HorizontalPodAutoscalerController(),
         ClusterRoleAggregationController(), TokensController(rootCA: rootCA), ResourceQuotaController(),
         EndpointsController(apiServer: apiServer), EndpointSliceController()]
            + [PersistentVolumeBinder(options: volumes), SimulatedProvisioner(options: volumes),
               ClaimProtectionController(), VolumeProtectionController()]
    }

    /// What kube-scheduler runs: with leader election, only in the replica holding `kube-scheduler`.
    static func scheduler() -> [any Controller] { [Scheduler()] }
}
