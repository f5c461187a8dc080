import ControllerRuntime
import Controllers
import Logging
import Node
import Registry

extension Serve {
    /// Starts the controllers in the background: the caller does not wait for their caches, as
    /// kube-apiserver's readiness does not wait for kube-controller-manager. Without leader election
    /// every controller starts now on `context`. With it, the node's own (kubelet, node lifecycle,
    /// service proxy, and the DNS server's informers) start now, since every replica is a node
    /// whoever leads; kube-controller-manager's and the scheduler wait for their Leases. Answers the elections, to stop on shutdown.
    func startControllers(node: SimulatedNodeOptions, runtime: ProcessPodRuntime?, serviceProxy: ServiceProxy?,
                          metricsScraper: ResourceMetricsScraper, registry: Registry, context: ControllerContext, apiServer: APIServerEndpoint,
                          rootCA: @escaping @Sendable () -> String, logger: Logger) throws -> [LeaderElectedControllers] {
        let started: @Sendable () -> Void = { logger.info("controllers started; their caches are filled") }
        let nodeControllers: [any Controller] = SimulatedNode.kubelet(options: node, runtime: runtime) + [metricsScraper]
            + (serviceProxy.map { [$0] } ?? [])
        let volumes = VolumeControllerOptions.parsing(provisioners: provisioners)
        guard leaderElection.enabled(etcd: etcdServers != nil) else {
            ControllerManager.startInBackground(ControllerSet.controllerManager(volumes: volumes, apiServer: apiServer, rootCA: rootCA)
                                                    + ControllerSet.scheduler() + nodeControllers, context: context, started: started)
            return []
        }
        ControllerManager.startInBackground(nodeControllers, context: context, started: started)
        let configuration = try leaderElection.configuration()
        let identity = LeaderElector.defaultIdentity()
        logger.info("leader election on: controllers run while holding kube-system/kube-controller-manager, the scheduler while holding kube-system/kube-scheduler",
                    metadata: ["identity": "\(identity)", "leaseDuration": "\(leaderElection.leaseDuration)",
                               "renewDeadline": "\(leaderElection.renewDeadline)", "retryPeriod": "\(leaderElection.retryPeriod)"])
        let elected = [
            LeaderElectedControllers(lease: "kube-controller-manager", identity: identity, configuration: configuration,
                                     registry: registry, timers: context.timers, logger: logger) {
                ControllerSet.controllerManager(volumes: volumes, apiServer: apiServer, rootCA: rootCA)
            },
            LeaderElectedControllers(lease: "kube-scheduler", identity: identity, configuration: configuration,
                                     registry: registry, timers: context.timers, logger: logger) {
                ControllerSet.scheduler()
            },
        ]
        for component in elected { component.run() }
        return elected
    }
}
