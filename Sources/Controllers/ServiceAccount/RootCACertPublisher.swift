import APIMachinery
import ControllerRuntime
import Registry

/// kube-controller-manager's root-ca-cert-publisher (pkg/controller/certificates/rootcacertpublisher):
/// the ConfigMap `kube-root-ca.crt` in every active namespace holds the cluster CA's certificate
/// under `ca.crt`, for the `kube-api-access-*` volume every pod mounts. A changed or deleted
/// ConfigMap is put back.
public struct RootCACertPublisher: Controller {
    public let name = "root-ca-cert-publisher"
    public static let configMapName = "kube-root-ca.crt"
    static let descriptionAnnotation = "kubernetes.io/description"
    static let description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."
    static let namespaces = GroupResource(group: "", resource: "namespaces")
    static let configMaps = GroupResource(group: "", resource: "configmaps")

    /// The CA bundle to publish (PEM).
    /// The cluster CA's certificate (PEM); asked for at each sync, since it may still be being
    /// generated when the controller starts (`PendingCredentials`).
    let rootCAProvider: @Sendable () -> String
    var rootCA: String { rootCAProvider() }
    let queue = QueueSlot()

    public init(rootCA: @escaping @Sendable () -> String) { self.rootCAProvider = rootCA }
    public init(rootCA: String) { self.rootCAProvider = { rootCA } }

    public func register(_ context: ControllerContext) {
        let queue = WorkQueue<String>(name: "root_ca_cert_publisher", timers: context.timers)
        self.queue.set(queue)
        context.informer(Self.namespaces).addHandler(.init(
            added: { queue.add($0.meta.name) }, updated: { _, new in queue.add(new.meta.name) }))
        let changed: @Sendable (JSON) -> Void = { map in
            if map.meta.name == Self.configMapName { queue.add(map.meta.namespace) }
        }
        context.informer(Self.configMaps).addHandler(.init(updated: { _, new in changed(new) }, deleted: changed))
    }

    public func start(_ context: ControllerContext) {
        guard let queue = queue.get() else { return }
        for namespace in context.informer(Self.namespaces).list() { queue.add(namespace.meta.name) }
        queue.run(workers: 1, logger: context.logger) { namespace in try self.sync(namespace, context) }
    }

    func sync(_ name: String, _ context: ControllerContext) throws {
        guard let namespace = context.informer(Self.namespaces).get(namespace: "", name: name),
              namespace[path: "status", "phase"]?.stringValue != "Terminating",
              !namespace.meta.isBeingDeleted else { return }
        let store = context.client(Self.configMaps)
        guard let existing = context.informer(Self.configMaps).get(namespace: name, name: Self.configMapName) else {
            let body: JSON = [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": .string(Self.configMapName), "annotations": .object([Self.descriptionAnnotation: .string(Self.description)])],
                "data": ["ca.crt": .string(rootCA)],
            ]
            do {
                _ = try store.create(namespace: name, body: RequestBody(value: body), options: WriteOptions())
            } catch {
                if error.isAlreadyExists || error.code == 403 || error.isNotFound { return }
                throw error
            }
            return
        }
        let data = existing["data"]?.objectValue ?? [:]
        let annotations = existing.meta.annotations
        guard data.count != 1 || data["ca.crt"]?.stringValue != rootCA
              || annotations[Self.descriptionAnnotation] != Self.description else { return }
        var updated = existing
        updated["data"] = ["ca.crt": .string(rootCA)]
        updated["binaryData"] = nil
        updated[path: "metadata", "annotations", Self.descriptionAnnotation] = .string(Self.description)
        do {
            _ = try store.update(namespace: name, name: Self.configMapName, body: RequestBody(value: updated), options: WriteOptions())
        } catch {
            if error.isNotFound { return }
            throw error
        }
    }
}
