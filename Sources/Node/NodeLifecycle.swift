import APIMachinery
import ControllerRuntime
import Foundation
import Registry

/// Registers the simulated nodes and keeps them alive as a kubelet does: at start each Node is
/// created (or, if it survived a restart, its status re-posted) with its Lease in kube-node-lease;
/// the Lease is renewed every `leaseRenewInterval` and the node status (condition heartbeats)
/// re-posted every `nodeStatusReportInterval`. A Node or Lease deleted by a client is registered
/// again at the next beat.
public struct NodeLifecycle: Controller {
    public let name = "node-lifecycle"
    public let options: SimulatedNodeOptions

    public init(options: SimulatedNodeOptions) { self.options = options }

    public func register(_ context: ControllerContext) {}

    public func start(_ context: ControllerContext) {
        for (index, node) in options.indexedNodeNames {
            postStatus(node, index: index, context)
            renewLease(node, index: index, context)
        }
        scheduleLeaseRenewal(context)
        scheduleStatusReport(context)
    }

    private func scheduleLeaseRenewal(_ context: ControllerContext) {
        context.timers.after(options.leaseRenewInterval) {
            for (index, node) in options.indexedNodeNames { renewLease(node, index: index, context) }
            scheduleLeaseRenewal(context)
        }
    }

    private func scheduleStatusReport(_ context: ControllerContext) {
        context.timers.after(options.nodeStatusReportInterval) {
            for (index, node) in options.indexedNodeNames { postStatus(node, index: index, context) }
            scheduleStatusReport(context)
        }
    }

    /// Creates the node, or refreshes the status of the existing one (heartbeats, Ready).
    @discardableResult
    func postStatus(_ node: String, index: Int, _ context: ControllerContext) -> JSON? {
        let store = context.client(GroupResource(group: "", resource: "nodes"))
        let now = context.timers.now()
        do {
            return try retryOnError(retriable: Self.isRace) { () throws(APIError) -> JSON in
                guard let current = try? store.get(namespace: nil, name: node).object else {
                    let fresh = NodeTemplate.node(name: node, index: index, options: options, now: now)
                    return try store.create(namespace: nil, body: RequestBody(value: fresh), options: WriteOptions(fieldManager: "kubelet")).object
                }
                var updated = current
                updated["status"] = NodeTemplate.status(name: node, index: index, options: options, now: now, previous: current["status"])
                return try store.updateStatus(namespace: nil, name: node, body: RequestBody(value: updated),
                                                           options: WriteOptions(fieldManager: "kubelet")).object
            }
        } catch {
            if !Self.isRace(error) {
                context.logger.warning("posting node status failed", metadata: ["node": "\(node)", "error": "\(error)"])
            }
            return nil
        }
    }

    /// Moves the Lease's renewTime to now (creating the Lease, and the Node, if missing).
    func renewLease(_ node: String, index: Int, _ context: ControllerContext) {
        let leases = context.client(GroupResource(group: "coordination.k8s.io", resource: "leases"))
        let now = context.timers.now()
        do {
            try retryOnError(retriable: Self.isRace) { () throws(APIError) in
                if var lease = try? leases.get(namespace: NodeTemplate.leaseNamespace, name: node).object {
                    lease[path: "spec", "renewTime"] = .string(Timestamp.formatMicro(now))
                    lease[path: "spec", "holderIdentity"] = .string(node)
                    _ = try leases.update(namespace: NodeTemplate.leaseNamespace, name: node, body: RequestBody(value: lease),
                                          options: WriteOptions(fieldManager: "kubelet"))
                    return
                }
                let nodes = context.client(GroupResource(group: "", resource: "nodes"))
                let nodeObject = (try? nodes.get(namespace: nil, name: node).object) ?? postStatus(node, index: index, context)
                guard let nodeObject else { return }
                _ = try leases.create(namespace: NodeTemplate.leaseNamespace,
                                      body: RequestBody(value: NodeTemplate.lease(node: nodeObject, now: now)), options: WriteOptions(fieldManager: "kubelet"))
            }
        } catch {
            if !Self.isRace(error) {
                context.logger.warning("renewing lease failed", metadata: ["node": "\(node)", "error": "\(error)"])
            }
        }
    }

    /// A read-then-write that raced another writer (a stale copy, an object created or deleted
    /// between the get and the write): the next attempt reads again. Races that outlast the
    /// retries are left to the next beat.
    static func isRace(_ error: APIError) -> Bool { error.isConflict || error.isAlreadyExists || error.isNotFound }
}
