import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Storage

/// Keeps one Endpoints object per Service with a selector, as kube-controller-manager's endpoints
/// controller does: named after the Service, labelled with the Service's labels (plus
/// `service.kubernetes.io/headless` for headless Services), annotated with
/// `endpoints.kubernetes.io/last-change-trigger-time`, its subsets built from the selected pods
/// (EndpointSubsets). Services without a selector and ExternalName Services are left alone; the
/// Endpoints of a deleted Service are deleted.
///
/// Given the API server's address, it also maintains what upstream's endpoint reconciler keeps for
/// the `kubernetes` Service in `default` (KubernetesServiceEndpoints).
public struct EndpointsController: Controller {
    public let name = "endpoint-controller"
    private let box = Box()
    private let tracker = EndpointTriggerTimeTracker()
    private let apiServer: APIServerEndpoint?

    final class Box: @unchecked Sendable { var triggers: ServiceSyncQueue? }

    /// - Parameter apiServer: where the API server is served (the bind address, 127.0.0.1 when it
    ///   binds every address, and the served port); nil leaves the `kubernetes` Service's
    ///   Endpoints unmanaged.
    public init(apiServer: APIServerEndpoint? = nil) { self.apiServer = apiServer }

    public func register(_ context: ControllerContext) {
        let triggers = ServiceSyncQueue(context: context)
        box.triggers = triggers
        triggers.register(queueName: "endpoint", context: context)
        // Endpoints deleted behind the controller's back are rebuilt (onEndpointsDelete).
        context.informer(GroupResource(group: "", resource: "endpoints")).addHandler(Informer.Handler(
            deleted: { triggers.enqueue(ServiceSyncQueue.key($0)) }))
        if apiServer != nil {
            context.informer(GroupResource(group: "discovery.k8s.io", resource: "endpointslices")).addHandler(Informer.Handler(
                deleted: { slice in
                    let key = ServiceSyncQueue.key(slice)
                    if key.namespace == "default" && key.name == "kubernetes" { triggers.enqueue(key) }
                }))
        }
    }

    public func start(_ context: ControllerContext) {
        guard let triggers = box.triggers else { return }
        if apiServer != nil { triggers.enqueue(.init(namespace: "default", name: "kubernetes")) }
        triggers.run(logger: context.logger) { key in sync(key, context) }
    }

    func sync(_ key: Informer.ObjectName, _ context: ControllerContext) -> Bool {
        guard let triggers = box.triggers else { return true }
        let store = context.client(GroupResource(group: "", resource: "endpoints"))
        if let apiServer, key.namespace == "default", key.name == "kubernetes" {
            return KubernetesServiceEndpoints(apiServer: apiServer, context: context.acting(as: nil)).reconcile()
        }
        guard let service = triggers.services.get(namespace: key.namespace, name: key.name) else {
            tracker.forget(namespace: key.namespace, name: key.name)
            do {
                _ = try store.delete(namespace: key.namespace, name: key.name, options: DeleteOptions())
            } catch {
                return error.isNotFound
            }
            return true
        }
        guard !ServiceView(service).isExternalName,
              let selector = ServiceRules.selector(service), !selector.isEmpty else { return true }

        let pods = triggers.selectedPods(service, selector: selector)
        let triggerTime = tracker.compute(service: service, pods: pods)
        let subsets = EndpointSubsets.build(service: service, pods: pods)
        let current = try? store.get(namespace: key.namespace, name: key.name).object
        var serviceLabels = service.meta.orderedLabels
        if let current {
            var compareLabels = current.meta.orderedLabels
            compareLabels[ServiceRules.headlessLabel] = nil
            if current["subsets"].sameContent(as: subsets.isEmpty ? nil : .array(subsets)),
               JSON.object(compareLabels).sameContent(as: .object(serviceLabels)) {
                return true
            }
        }
        if ServiceRules.hasClusterIP(service) { serviceLabels[ServiceRules.headlessLabel] = nil } else { serviceLabels[ServiceRules.headlessLabel] = "" }
        var annotations = current?.meta.orderedAnnotations ?? [:]
        annotations[ServiceRules.triggerTimeAnnotation] = triggerTime.map { .string(Timestamp.format($0)) }

        var meta = ObjectMetaView(["name": .string(key.name), "namespace": .string(key.namespace)])
        if !serviceLabels.isEmpty { meta.setLabels(serviceLabels) }
        if !annotations.isEmpty { meta.setAnnotations(annotations) }
        if let current { meta.copy(["uid", "resourceVersion", "creationTimestamp", "ownerReferences", "finalizers"], from: current.meta) }
        var endpoints: JSON = ["apiVersion": "v1", "kind": "Endpoints", "metadata": meta.object]
        if !subsets.isEmpty { endpoints["subsets"] = .array(subsets) }
        do {
            if current == nil {
                _ = try store.create(namespace: key.namespace, body: RequestBody(value: endpoints), options: WriteOptions())
            } else {
                _ = try store.update(namespace: key.namespace, name: key.name, body: RequestBody(value: endpoints), options: WriteOptions())
            }
            return true
        } catch {
            // A namespace being deleted takes its Endpoints with it.
            if error.isForbidden { return true }
            context.logger.debug("endpoints sync failed", metadata: ["service": "\(key.namespace)/\(key.name)", "error": "\(error.message)"])
            return false
        }
    }
}
