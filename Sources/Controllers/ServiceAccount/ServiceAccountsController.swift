import APIMachinery
import ControllerRuntime
import Registry

/// kube-controller-manager's serviceaccount controller (pkg/controller/serviceaccount): every
/// active namespace has the ServiceAccount `default`, made when the namespace appears (and for
/// every namespace at start) and made again if deleted.
public struct ServiceAccountsController: Controller {
    public let name = "serviceaccount-controller"
    static let namespaces = GroupResource(group: "", resource: "namespaces")
    static let serviceAccounts = GroupResource(group: "", resource: "serviceaccounts")
    /// The accounts every namespace gets (upstream's ServiceAccountsControllerOptions default).
    static let managedNames = ["default"]
    let queue = QueueSlot()

    public init() {}

    public func register(_ context: ControllerContext) {
        let queue = WorkQueue<String>(name: "serviceaccount", timers: context.timers)
        self.queue.set(queue)
        context.informer(Self.namespaces).addHandler(.init(
            added: { queue.add($0.meta.name) }, updated: { _, new in queue.add(new.meta.name) }))
        context.informer(Self.serviceAccounts).addHandler(.init(deleted: { account in
            if Self.managedNames.contains(account.meta.name) { queue.add(account.meta.namespace) }
        }))
    }

    public func start(_ context: ControllerContext) {
        guard let queue = queue.get() else { return }
        for namespace in context.informer(Self.namespaces).list() { queue.add(namespace.meta.name) }
        queue.run(workers: 1, logger: context.logger) { namespace in try Self.sync(namespace, context) }
    }

    /// syncNamespace: creates the missing accounts of an active namespace.
    static func sync(_ name: String, _ context: ControllerContext) throws {
        guard let namespace = context.informer(namespaces).get(namespace: "", name: name),
              namespace[path: "status", "phase"]?.stringValue != "Terminating",
              !namespace.meta.isBeingDeleted else { return }
        let accounts = context.client(serviceAccounts)
        for account in managedNames where context.informer(serviceAccounts).get(namespace: name, name: account) == nil {
            let body: JSON = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(account)]]
            do {
                _ = try accounts.create(namespace: name, body: RequestBody(value: body), options: WriteOptions())
            } catch {
                // Made meanwhile, or the namespace is going away: both are fine.
                if error.isAlreadyExists || error.code == 403 || error.isNotFound { continue }
                throw error
            }
        }
    }
}
