import APIMachinery
import ControllerRuntime
import Registry

/// What the scheduler asks about a pod's claims, as upstream's VolumeBinding plugin does:
/// a pod whose claims are all Bound may be placed; a claim that is missing, being deleted, or
/// unbound in an Immediate class keeps the pod Pending (unschedulable); unbound claims of a
/// WaitForFirstConsumer class need the scheduler to choose a node (`selectNode`), after which
/// the pod waits until provisioning has bound them.
public enum VolumeBinding {
    /// The annotation that tells the provisioner which node a first consumer was scheduled to.
    public static let selectedNodeAnnotation = "volume.kubernetes.io/selected-node"

    public enum PodVolumes: Equatable, Sendable {
        /// No claims, or every claim Bound: the pod may be bound to a node.
        case ready
        /// The pod cannot be scheduled; `reason` is the plugin's status (e.g. `pod has unbound
        /// immediate PersistentVolumeClaims`), see `unschedulableMessage`.
        case unschedulable(reason: String)
        /// Unbound claims of WaitForFirstConsumer classes without a selected node: choose a node
        /// for the pod, call `selectNode`, and keep the pod Pending until `.ready`.
        case needsNode(claims: [String])
        /// Claims waiting for a volume on the node already selected: keep the pod Pending.
        case waitingForBinding(claims: [String])
    }

    /// The state of the pod's claims, read from storage (always current).
    public static func check(_ pod: JSON, registry: Registry) -> PodVolumes {
        let namespace = pod.meta.namespace
        guard let claims = registry.store(group: "", plural: "persistentvolumeclaims") else { return .ready }
        let classes = registry.store(group: "storage.k8s.io", plural: "storageclasses")
        var needsNode: [String] = [], waiting: [String] = [], immediate = false
        for name in PodClaims.claimNames(pod) {
            guard let stored = try? claims.get(namespace: namespace, name: name) else {
                if PodClaims.ephemeralClaimNames(pod).contains(name) {
                    return .unschedulable(reason: "waiting for ephemeral volume controller to create the persistentvolumeclaim \"\(name)\"")
                }
                return .unschedulable(reason: "persistentvolumeclaim \"\(name)\" not found")
            }
            let claim = PersistentVolumeClaimView(stored.object)
            if claim.meta.isBeingDeleted { return .unschedulable(reason: "persistentvolumeclaim \"\(name)\" is being deleted") }
            if claim.phase == "Bound" { continue }
            if claim.phase == "Lost" {
                return .unschedulable(reason: "persistentvolumeclaim \"\(name)\" bound to non-existent persistentvolume \"\(claim.volumeName)\"")
            }
            let mode = (try? classes?.get(namespace: nil, name: claim.storageClassName))?.object["volumeBindingMode"]?.stringValue
            if mode != "WaitForFirstConsumer" {
                immediate = true
            } else if claim.volumeName.isEmpty, claim.selectedNode == nil {
                needsNode.append(name)
            } else {
                waiting.append(name)
            }
        }
        if immediate { return .unschedulable(reason: "pod has unbound immediate PersistentVolumeClaims") }
        if !needsNode.isEmpty { return .needsNode(claims: needsNode) }
        if !waiting.isEmpty { return .waitingForBinding(claims: waiting) }
        return .ready
    }

    /// Names of the claims a pod uses (`persistentVolumeClaim.claimName`, and `<pod>-<volume>`
    /// for generic ephemeral volumes): a scheduler re-examines the pods naming a claim that changed.
    public static func claimNames(of pod: JSON) -> [String] { PodClaims.claimNames(pod) }

    /// Names of the pod's claims that are not Bound (missing ones included).
    public static func unboundClaims(for pod: JSON, registry: Registry) -> [String] {
        let namespace = pod.meta.namespace
        let claims = registry.store(group: "", plural: "persistentvolumeclaims")
        return PodClaims.claimNames(pod).filter { name in
            (try? claims?.get(namespace: namespace, name: name)).map { PersistentVolumeClaimView($0.object).phase } != "Bound"
        }
    }

    /// The scheduler's FailedScheduling message and PodScheduled condition message for an
    /// unschedulable reason, on a cluster of `nodes` nodes, e.g. `0/1 nodes are available: pod
    /// has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1
    /// Preemption is not helpful for scheduling.` The volume check rejects the pod before any node
    /// is looked at (PreFilter), so the reason carries no per-node count.
    public static func unschedulableMessage(reason: String, nodes: Int = 1) -> String {
        "0/\(nodes) nodes are available: \(reason). preemption: 0/\(nodes) nodes are available: "
            + "\(nodes) Preemption is not helpful for scheduling."
    }

    /// Records the scheduler's choice of `node` on the pod's unbound WaitForFirstConsumer claims
    /// (upstream's PreBind sets `volume.kubernetes.io/selected-node`), which starts provisioning.
    /// The claims are patched through `context`'s client, as the scheduler's user.
    public static func selectNode(_ node: String, for pod: JSON, context: ControllerContext) throws(APIError) {
        guard case .needsNode(let names) = check(pod, registry: context.registry),
              let store = context.registry.store(group: "", plural: "persistentvolumeclaims") else { return }
        let claims = context.client(store)
        let namespace = pod.meta.namespace
        for name in names {
            let patch: JSON = ["metadata": ["annotations": [selectedNodeAnnotation: .string(node)]]]
            _ = try claims.patch(namespace: namespace, name: name, type: .merge, patch: RequestBody(value: patch), options: WriteOptions(fieldManager: "kube-scheduler"))
        }
    }
}
