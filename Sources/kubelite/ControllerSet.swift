import ClusterDNS
import ControllerRuntime
import Controllers
import Node

/// The controllers `kubelite serve` runs, as kube-controller-manager, the scheduler and the kubelet
/// would on a cluster.
enum ControllerSet {
    static func all(node: SimulatedNodeOptions, volumes: VolumeControllerOptions, apiServer: APIServerEndpoint?,
                    runtime: ProcessPodRuntime? = nil, rootCA: @escaping @Sendable () -> String) -> [any Controller] {
        controllerManager(volumes: volumes, apiServer: apiServer, rootCA: rootCA)
            + SimulatedNode.controllers(options: node, runtime: runtime)
    }

    /// What kube-controller-manager runs: with leader election, only in the replica holding the
    /// `kube-controller-manager` Lease.
    static func controllerManager(volumes: VolumeControllerOptions, apiServer: APIServerEndpoint?,
                                  rootCA: @escaping @Sendable () -> String) -> [any Controller] {
        [GarbageCollector(), StatefulSetController(), ReplicaSetController(), ReplicaSetController(kind: .replicationController), DeploymentController(),
         DaemonSetController(),
         JobController(), TTLAfterFinishedController(), CronJobController(),
         ServiceAccountsController(), RootCACertPublisher(rootCA: rootCA), DisruptionController(),
         ClusterRoleAggregationController(), TokensController(rootCA: rootCA), ResourceQuotaController(),
         EndpointsController(apiServer: apiServer), EndpointSliceController()]
            + [PersistentVolumeBinder(options: volumes), SimulatedProvisioner(options: volumes),
               ClaimProtectionController(), VolumeProtectionController()]
    }

    /// What kube-scheduler runs: with leader election, only in the replica holding `kube-scheduler`.
    static func scheduler() -> [any Controller] { [Scheduler()] }
}
