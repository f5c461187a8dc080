import APIMachinery
import Storage
import Synchronization

/// The RBAC objects as the authorizer reads them on every request, kept current from storage:
/// a storage listener (called before each write returns) bumps a generation when a Role,
/// ClusterRole or binding changes, and the next read re-parses the four resources. Between
/// changes a check costs one atomic load and no parsing, as upstream's informer-backed listers.
public final class RBACPolicyCache: Sendable {
    static let resources = ["roles", "rolebindings", "clusterroles", "clusterrolebindings"]
        .map { GroupResource(group: "rbac.authorization.k8s.io", resource: $0).description }

    private let storage: any Storage
    private let generation = Atomic<Int>(0)
    private struct State {
        var listening = false
        var built: (generation: Int, policy: RBACPolicy)?
    }
    private let state = Mutex(State())

    public init(storage: any Storage) { self.storage = storage }

    /// The policy as of now (a write of an RBAC object that has returned is in it).
    public func current() -> RBACPolicy {
        let seen = generation.load(ordering: .acquiring)
        if let built = state.withLock({ $0.built }), built.generation == seen { return built.policy }
        return rebuild()
    }

    private func rebuild() -> RBACPolicy {
        state.withLock { state in
            guard !state.listening else { return }
            state.listening = true
            let resources = Set(Self.resources)
            storage.addListener { [weak self] event in
                if resources.contains(event.object.key.resource) { self?.generation.add(1, ordering: .releasing) }
            }
        }
        // Read before listing: a change during the lists leaves this policy stale and rebuilt next time.
        let seen = generation.load(ordering: .acquiring)
        let lists = Self.resources.map { storage.list(resource: $0, namespace: nil).items.map(\.object) }
        let policy = RBACPolicy(roles: lists[0], roleBindings: lists[1], clusterRoles: lists[2], clusterRoleBindings: lists[3])
        state.withLock { state in
            if state.built == nil || state.built!.generation < seen { state.built = (seen, policy) }
        }
        return policy
    }
}
