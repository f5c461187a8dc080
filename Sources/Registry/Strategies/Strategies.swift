import APIMachinery

/// One strategy per served resource, in the order of `ResourceCatalog.all`.
public enum StrategyCatalog {
    public static let all: [any ResourceStrategy] = [
        ConfigMapStrategy(), EndpointsStrategy(), EventStrategy(), NamespaceStrategy(), NodeStrategy(),
        PersistentVolumeClaimStrategy(), PersistentVolumeStrategy(), PodStrategy(), SecretStrategy(), ServiceStrategy(),
        ControllerRevisionStrategy(), DeploymentStrategy(), ReplicaSetStrategy(), StatefulSetStrategy(),
        CronJobStrategy(), JobStrategy(),
        LeaseStrategy(),
        EndpointSliceStrategy(),
        StorageClassStrategy(),
    ]

    /// The strategy serving `resource`, matched by group and plural.
    public static func strategy(for resource: APIResource) -> (any ResourceStrategy)? {
        all.first { $0.resource.group == resource.group && $0.resource.plural == resource.plural }
    }
}
