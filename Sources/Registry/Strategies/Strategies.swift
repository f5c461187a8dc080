import APIMachinery

/// One strategy per served resource, in the order of `ResourceCatalog.all`.
public enum StrategyCatalog {
    public static let all: [any ResourceStrategy] = [
        ConfigMapStrategy(), EndpointsStrategy(), EventStrategy(), LimitRangeStrategy(), NamespaceStrategy(), NodeStrategy(),
        PersistentVolumeClaimStrategy(), PersistentVolumeStrategy(), PodStrategy(), PodTemplateStrategy(),
        ReplicationControllerStrategy(), ResourceQuotaStrategy(), SecretStrategy(),
        ServiceAccountStrategy(), ServiceStrategy(),
        APIServiceStrategy(),
        ControllerRevisionStrategy(), DaemonSetStrategy(), DeploymentStrategy(), ReplicaSetStrategy(), StatefulSetStrategy(),
        ReviewStrategy(ResourceCatalog.selfSubjectReviews), ReviewStrategy(ResourceCatalog.tokenReviews),
        ReviewStrategy(ResourceCatalog.localSubjectAccessReviews), ReviewStrategy(ResourceCatalog.selfSubjectAccessReviews),
        ReviewStrategy(ResourceCatalog.selfSubjectRulesReviews), ReviewStrategy(ResourceCatalog.subjectAccessReviews),
        HorizontalPodAutoscalerStrategy(), HorizontalPodAutoscalerV1Strategy(),
        CronJobStrategy(), JobStrategy(),
        LeaseStrategy(),
        EndpointSliceStrategy(),
        EventsV1EventStrategy(),
        IngressClassStrategy(), IngressStrategy(), NetworkPolicyStrategy(),
        PodDisruptionBudgetStrategy(),
        ClusterRoleBindingStrategy(), ClusterRoleStrategy(), RoleBindingStrategy(), RoleStrategy(),
        StorageClassStrategy(),
        PriorityClassStrategy(),
        RuntimeClassStrategy(),
        CustomResourceDefinitionStrategy(),
    ]

    /// The strategy serving `resource`, matched by group, plural and version.
    public static func strategy(for resource: APIResource) -> (any ResourceStrategy)? {
        all.first { $0.resource.group == resource.group && $0.resource.plural == resource.plural && $0.resource.version == resource.version }
    }
}
