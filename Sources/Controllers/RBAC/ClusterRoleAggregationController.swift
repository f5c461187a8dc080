import APIMachinery
import ControllerRuntime
import Registry

/// kube-controller-manager's clusterrole-aggregation controller (pkg/controller/clusterroleaggregation):
/// a ClusterRole with an `aggregationRule` gets as its rules the union of the rules of the
/// ClusterRoles its selectors select (by name order, each rule once), so `admin`, `edit` and
/// `view` grow with every role labelled `rbac.authorization.k8s.io/aggregate-to-*`.
public struct ClusterRoleAggregationController: Controller {
    public let name = "clusterrole-aggregation-controller"
    static let clusterRoles = GroupResource(group: "rbac.authorization.k8s.io", resource: "clusterroles")
    let queue = QueueSlot()

    public init() {}

    public func register(_ context: ControllerContext) {
        let queue = WorkQueue<String>(name: "ClusterRoleAggregator", timers: context.timers)
        self.queue.set(queue)
        let roles = context.informer(Self.clusterRoles)
        // Any role's change may change what an aggregated role selects.
        let enqueueAggregated: @Sendable (JSON) -> Void = { _ in
            for role in roles.list() where Self.isAggregated(role) { queue.add(role.meta.name) }
        }
        roles.addHandler(.init(added: enqueueAggregated, updated: { _, new in enqueueAggregated(new) }, deleted: enqueueAggregated))
    }

    public func start(_ context: ControllerContext) {
        guard let queue = queue.get() else { return }
        for role in context.informer(Self.clusterRoles).list() where Self.isAggregated(role) { queue.add(role.meta.name) }
        queue.run(workers: 1, logger: context.logger) { name in try Self.sync(name, context) }
    }

    static func isAggregated(_ role: JSON) -> Bool {
        guard let rule = role["aggregationRule"] else { return false }
        return !rule.isNull
    }

    static func sync(_ name: String, _ context: ControllerContext) throws {
        let roles = context.informer(clusterRoles)
        guard let role = roles.get(namespace: "", name: name), isAggregated(role) else { return }
        let rules = aggregatedRules(role, all: roles.list())
        if SemanticEquality.equal(.array(rules), role["rules"] ?? .null) { return }
        var updated = role
        updated["rules"] = .array(rules)
        do {
            _ = try context.client(clusterRoles).update(namespace: nil, name: name, body: RequestBody(value: updated), options: WriteOptions())
        } catch {
            if error.isNotFound { return }
            throw error
        }
    }

    /// The selected roles' rules in name order, without repeats and without the role's own.
    static func aggregatedRules(_ role: JSON, all: [JSON]) -> [JSON] {
        var rules: [JSON] = []
        let sorted = all.sorted { $0.meta.name < $1.meta.name }
        for selector in role[path: "aggregationRule", "clusterRoleSelectors"]?.arrayValue ?? [] {
            let parsed = LabelSelector(json: selector)
            for other in sorted where other.meta.name != role.meta.name && parsed.matches(other.meta.labels) {
                for rule in other["rules"]?.arrayValue ?? [] where !rules.contains(where: { SemanticEquality.equal($0, rule) }) {
                    rules.append(rule)
                }
            }
        }
        return rules
    }
}
