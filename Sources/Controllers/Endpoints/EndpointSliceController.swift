import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Storage

/// Keeps the EndpointSlices of Services with a selector, as kube-controller-manager's
/// endpointslice controller does (EndpointSliceReconciler): slices named `<service>-<random>`,
/// labelled `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by:
/// endpointslice-controller.k8s.io` (plus the Service's labels and the headless marker), owned by
/// the Service (so the garbage collector removes them with it), address type IPv4, one endpoint
/// per pod with an address, with ready/serving/terminating conditions, hostname, nodeName, zone
/// and targetRef. Pods on a Node that does not exist are left out and the Service is retried,
/// unless it publishes not-ready addresses.
public struct EndpointSliceController: Controller {
    public let name = "endpointslice-controller"
    private let box = Box()
    private let tracker = EndpointTriggerTimeTracker()

    final class Box: @unchecked Sendable {
        var triggers: ServiceSyncQueue?
        var nodes: Informer?
    }

    public init() {}

    public func register(_ context: ControllerContext) {
        let triggers = ServiceSyncQueue(context: context)
        box.triggers = triggers
        box.nodes = context.informer(GroupResource(group: "", resource: "nodes"))
        triggers.register(queueName: "endpoint_slice", context: context)
        // Managed slices changed or deleted by someone else are put back.
        let managed: @Sendable (JSON) -> Informer.ObjectName? = { slice in
            guard slice.meta.label(EndpointSliceLabels.managedBy) == EndpointSliceLabels.controllerName,
                  let service = slice.meta.label(EndpointSliceLabels.serviceName) else { return nil }
            return .init(namespace: slice.meta.namespace, name: service)
        }
        context.informer(GroupResource(group: "discovery.k8s.io", resource: "endpointslices")).addHandler(Informer.Handler(
            updated: { old, new in
                for key in [managed(old), managed(new)].compactMap({ $0 }) { triggers.enqueue(key) }
            },
            deleted: { if let key = managed($0) { triggers.enqueue(key) } }))
    }

    public func start(_ context: ControllerContext) {
        box.triggers?.run(logger: context.logger) { key in sync(key, context) }
    }

    func sync(_ key: Informer.ObjectName, _ context: ControllerContext) -> Bool {
        guard let triggers = box.triggers else { return true }
        guard let service = triggers.services.get(namespace: key.namespace, name: key.name) else {
            // The garbage collector deletes the slices through their owner references.
            tracker.forget(namespace: key.namespace, name: key.name)
            return true
        }
        guard !ServiceView(service).isExternalName,
              let selector = ServiceRules.selector(service), !selector.isEmpty else { return true }

        let store = context.client(GroupResource(group: "discovery.k8s.io", resource: "endpointslices"))
        // Read from storage, not the informer: the controller's own writes must be seen at once,
        // or a quick second sync would create a duplicate slice.
        let existing = store.list(namespace: key.namespace).items.map(\.object).filter { slice in
            slice.meta.label(EndpointSliceLabels.serviceName) == key.name
                && slice.meta.label(EndpointSliceLabels.managedBy) == EndpointSliceLabels.controllerName
                && !slice.meta.isBeingDeleted
        }
        let pods = triggers.selectedPods(service, selector: selector)
        let triggerTime = tracker.compute(service: service, pods: pods)
        let nodes = box.nodes
        let plan = EndpointSliceReconciler(service: service, triggerTime: triggerTime)
            .plan(pods: pods, node: { nodes?.get(namespace: "", name: $0) }, existing: existing)
        do {
            for slice in plan.create {
                _ = try store.create(namespace: key.namespace, body: RequestBody(value: slice), options: WriteOptions())
            }
            for slice in plan.update {
                _ = try store.update(namespace: key.namespace, name: slice.meta.name,
                                     body: RequestBody(value: slice), options: WriteOptions())
            }
            for slice in plan.delete {
                var options = DeleteOptions()
                options.preconditionUID = slice.meta.uid
                do {
                    _ = try store.delete(namespace: key.namespace, name: slice.meta.name, options: options)
                } catch where error.isNotFound {}
            }
        } catch {
            if error.isForbidden { return true }  // the namespace is being deleted
            context.logger.debug("endpointslice sync failed", metadata: ["service": "\(key.namespace)/\(key.name)", "error": "\(error.message)"])
            return false
        }
        if !plan.skippedPods.isEmpty {
            context.logger.debug("pods skipped: node not found", metadata: ["service": "\(key.namespace)/\(key.name)", "pods": "\(plan.skippedPods)"])
        }
        return plan.skippedPods.isEmpty
    }
}
