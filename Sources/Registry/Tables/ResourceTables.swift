import APIMachinery
import Foundation

/// The server-side printer of each served kind, looked up by kind, so a strategy (or the API
/// server's Table conversion) can use `ResourceTables.printer(for: "Pod")`.
public enum ResourceTables {
    public struct Printer: Sendable {
        public let columns: [TableColumn]
        public let cells: @Sendable (JSON, Date) -> [JSON]
        /// The cells with their time-relative parts open, for printers written that way; `cells` is
        /// then this template rendered, so the two never disagree.
        public let template: (@Sendable (JSON) -> [TableCell])?

        init(columns: [TableColumn], cells: @escaping @Sendable (JSON, Date) -> [JSON]) {
            self.columns = columns; self.cells = cells; self.template = nil
        }

        init(columns: [TableColumn], template: @escaping @Sendable (JSON) -> [TableCell]) {
            self.columns = columns; self.template = template
            self.cells = { object, now in template(object).map { $0.rendered(now: now) } }
        }
    }

    public static let printers: [String: Printer] = [
        "Pod": Printer(columns: PodTable.columns, template: PodTable.template),
        "StatefulSet": Printer(columns: StatefulSetTable.columns, cells: StatefulSetTable.cells),
        "Deployment": Printer(columns: DeploymentTable.columns, cells: DeploymentTable.cells),
        "ReplicaSet": Printer(columns: ReplicaSetTable.columns, cells: ReplicaSetTable.cells),
        "ReplicationController": Printer(columns: ReplicationControllerTable.columns, cells: ReplicationControllerTable.cells),
        "DaemonSet": Printer(columns: DaemonSetTable.columns, cells: DaemonSetTable.cells),
        "Job": Printer(columns: JobTable.columns, cells: JobTable.cells),
        "CronJob": Printer(columns: CronJobTable.columns, cells: CronJobTable.cells),
        "Service": Printer(columns: ServiceTable.columns, cells: ServiceTable.cells),
        "PersistentVolumeClaim": Printer(columns: PersistentVolumeClaimTable.columns, cells: PersistentVolumeClaimTable.cells),
        "PersistentVolume": Printer(columns: PersistentVolumeTable.columns, cells: PersistentVolumeTable.cells),
        "Node": Printer(columns: NodeTable.columns, cells: NodeTable.cells),
        "Namespace": Printer(columns: NamespaceTable.columns, cells: NamespaceTable.cells),
        "Endpoints": Printer(columns: EndpointsTable.columns, cells: EndpointsTable.cells),
        "Event": Printer(columns: EventTable.columns, cells: EventTable.cells),
        "ConfigMap": Printer(columns: ConfigMapTable.columns, cells: ConfigMapTable.cells),
        "Secret": Printer(columns: SecretTable.columns, cells: SecretTable.cells),
        "ControllerRevision": Printer(columns: ControllerRevisionTable.columns, cells: ControllerRevisionTable.cells),
        "StorageClass": Printer(columns: StorageClassTable.columns, cells: StorageClassTable.cells),
        "EndpointSlice": Printer(columns: EndpointSliceTable.columns, cells: EndpointSliceTable.cells),
        "Lease": Printer(columns: LeaseTable.columns, cells: LeaseTable.cells),
        "ServiceAccount": Printer(columns: ServiceAccountTable.columns, cells: ServiceAccountTable.cells),
        "Role": Printer(columns: RoleTable.columns, cells: RoleTable.cells),
        "ClusterRole": Printer(columns: RoleTable.columns, cells: RoleTable.cells),
        "RoleBinding": Printer(columns: RoleBindingTable.columns, cells: RoleBindingTable.cells),
        "ClusterRoleBinding": Printer(columns: RoleBindingTable.columns, cells: RoleBindingTable.cells),
        "Ingress": Printer(columns: IngressTable.columns, cells: IngressTable.cells),
        "IngressClass": Printer(columns: IngressClassTable.columns, cells: IngressClassTable.cells),
        "PodDisruptionBudget": Printer(columns: PodDisruptionBudgetTable.columns, cells: PodDisruptionBudgetTable.cells),
        "CustomResourceDefinition": Printer(columns: CustomResourceDefinitionTable.columns, cells: CustomResourceDefinitionTable.cells),
        "PodTemplate": Printer(columns: PodTemplateTable.columns, cells: PodTemplateTable.cells),
        "LimitRange": Printer(columns: LimitRangeTable.columns, cells: LimitRangeTable.cells),
        "ResourceQuota": Printer(columns: ResourceQuotaTable.columns, cells: ResourceQuotaTable.cells),
        "NetworkPolicy": Printer(columns: NetworkPolicyTable.columns, cells: NetworkPolicyTable.cells),
        "PriorityClass": Printer(columns: PriorityClassTable.columns, cells: PriorityClassTable.cells),
        "RuntimeClass": Printer(columns: RuntimeClassTable.columns, cells: RuntimeClassTable.cells),
        "APIService": Printer(columns: APIServiceTable.columns, cells: APIServiceTable.cells),
        "HorizontalPodAutoscaler": Printer(columns: HorizontalPodAutoscalerTable.columns, cells: HorizontalPodAutoscalerTable.cells),
    ]

    public static func printer(for kind: String) -> Printer? { printers[kind] }
}
