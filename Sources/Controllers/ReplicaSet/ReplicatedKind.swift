import APIMachinery

/// The API version and kind a controller writes into its pods' controller references.
struct OwnerKind: Sendable, Equatable {
    let apiVersion: String
    let kind: String

    static let replicaSet = OwnerKind(apiVersion: "apps/v1", kind: "ReplicaSet")
    static let replicationController = OwnerKind(apiVersion: "v1", kind: "ReplicationController")
    static let daemonSet = OwnerKind(apiVersion: "apps/v1", kind: "DaemonSet")
}

/// The kind a ReplicaSetController manages. Upstream's replication manager
/// (pkg/controller/replication) is the ReplicaSet controller run over ReplicationControllers
/// converted to ReplicaSets; here the one controller is parameterised by kind instead, and
/// ReplicaSetView reads an RC's equality selector as the set-based one it stands for.
public struct ReplicatedKind: Sendable {
    let resource: GroupResource
    let owner: OwnerKind
    /// The controller's name, also its events' source component.
    let controllerName: String
    let queueName: String

    public static let replicaSet = ReplicatedKind(
        resource: GroupResource(group: "apps", resource: "replicasets"), owner: .replicaSet,
        controllerName: "replicaset-controller", queueName: "replicaset")
    public static let replicationController = ReplicatedKind(
        resource: GroupResource(group: "", resource: "replicationcontrollers"), owner: .replicationController,
        controllerName: "replication-controller", queueName: "replicationmanager")
}
