import APIMachinery
import ControllerRuntime
import Foundation
import Logging

/// The trigger side shared by the Endpoints and EndpointSlice controllers: Service changes enqueue
/// the Service; pod changes enqueue every Service whose selector matches the pod before or after
/// the change (upstream's GetPodServiceMemberships). Workers run `sync` per Service key and retry
/// failures with backoff.
final class ServiceSyncQueue: @unchecked Sendable {
    typealias Key = Informer.ObjectName
    let services: Informer
    let pods: Informer
    private(set) var queue: WorkQueue<Key>?

    init(context: ControllerContext) {
        services = context.informer(GroupResource(group: "", resource: "services"))
        pods = context.informer(GroupResource(group: "", resource: "pods"))
    }

    /// Registers the Service and pod handlers and creates the queue (named as upstream's, for its
    /// metrics); call from `register`.
    func register(queueName: String, context: ControllerContext) {
        let queue = WorkQueue<Key>(name: queueName, timers: context.timers)
        self.queue = queue
        services.addHandler(Informer.Handler(
            added: { queue.add(Self.key($0)) },
            updated: { _, new in queue.add(Self.key(new)) },
            deleted: { queue.add(Self.key($0)) }))
        pods.addHandler(Informer.Handler(
            added: { [self] pod in for key in selecting(pod) { queue.add(key) } },
            updated: { [self] old, new in for key in selecting(old).union(selecting(new)) { queue.add(key) } },
            deleted: { [self] pod in for key in selecting(pod) { queue.add(key) } }))
    }

    func enqueue(_ key: Key) { queue?.add(key) }

    /// Starts the workers; `sync` returns false to be retried later.
    func run(workers: Int = 2, logger: Logger, sync: @escaping @Sendable (Key) -> Bool) {
        queue?.run(workers: workers, logger: logger, reconcile: sync)
    }

    /// Services in the pod's namespace whose selector matches it.
    func selecting(_ pod: JSON) -> Set<Key> {
        let namespace = pod.meta.namespace
        var keys = Set<Key>()
        for service in services.list(namespace: namespace) {
            guard let selector = ServiceRules.selector(service), !selector.isEmpty, ServiceRules.selects(selector, pod) else { continue }
            keys.insert(Self.key(service))
        }
        return keys
    }

    /// Pods in the Service's namespace its selector matches.
    func selectedPods(_ service: JSON, selector: [String: String]) -> [JSON] {
        let namespace = service.meta.namespace
        return pods.list(namespace: namespace)
            .filter { ServiceRules.selects(selector, $0) }
            .sorted { $0.meta.name < $1.meta.name }
    }

    static func key(_ object: JSON) -> Key {
        Key(namespace: object.meta.namespace, name: object.meta.name)
    }
}
