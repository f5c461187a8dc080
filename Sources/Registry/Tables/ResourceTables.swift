import APIMachinery
import Foundation

/// The server-side printer of each served kind, looked up by kind, so a strategy (or the API
/// server's Table conversion) can use `ResourceTables.printer(for: "Pod")`.
public enum ResourceTables {
    public struct Printer: Sendable {
        public let columns: [TableColumn]
        public let cells: @Sendable (JSON, Date) -> [JSON]
        /// The cells with their time-relative parts open, for printers written that way (nil for an
        /// object it cannot make one for); rendering it at a time gives that time's `cells`.
        public let template: (@Sendable (JSON) -> [TableCell]?)?

        /// A printer whose cells depend on the time in ways it does not open up (a Job's duration, an
        /// Event's last seen): its rows are made per request.
        init(columns: [TableColumn], cells: @escaping @Sendable (JSON, Date) -> [JSON]) {
            self.columns = columns; self.cells = cells; self.template = nil
        }

        /// A printer that computes its cells as a template, `cells` being the template rendered.
        init(columns: [TableColumn], template: @escaping @Sendable (JSON) -> [TableCell]) {
            self.columns = columns; self.template = template
            self.cells = { object, now in template(object).map { $0.rendered(now: now) } }
        }

        /// A printer whose cells depend on the time only through its AGE columns
        /// (`PrinterFormat.age`): the template is its cells with those opened. As a check, each row's
        /// cells are computed at two times centuries apart: any other cell that differs, or an AGE cell
        /// that is not the object's age, means the printer is not of this kind, and there is no template.
        init(columns: [TableColumn], agedCells cells: @escaping @Sendable (JSON, Date) -> [JSON]) {
            let ages = Set(columns.indices.filter { columns[$0] == .age })
            self.columns = columns; self.cells = cells
            self.template = { object in
                let early = cells(object, Self.early), late = cells(object, Self.late)
                let age = PrinterFormat.ageCell(object)
                guard early.count == late.count else { return nil }
                var template: [TableCell] = []
                template.reserveCapacity(early.count)
                for i in early.indices {
                    if ages.contains(i) {
                        guard early[i] == age.rendered(now: Self.early), late[i] == age.rendered(now: Self.late) else { return nil }
                        template.append(age)
                    } else {
                        guard early[i] == late[i] else { return nil }
                        template.append(.value(early[i]))
                    }
                }
                return template
            }
        }

        /// 2200-01-01 and 2300-01-01: ages then print in years, different ones.
        static let early = Date(timeIntervalSince1970: 7_258_118_400)
        static let late = Date(timeIntervalSince1970: 10_413_792_000)
    }

    public static let printers: [String: Printer] = [
        "Pod": Printer(columns: PodTable.columns, template: PodTable.template),
        "StatefulSet": Printer(columns: StatefulSetTable.columns, agedCells: StatefulSetTable.cells),
        "Deployment": Printer(columns: DeploymentTable.columns, agedCells: DeploymentTable.cells),
        "ReplicaSet": Printer(columns: ReplicaSetTable.columns, agedCells: ReplicaSetTable.cells),
        "ReplicationController": Printer(columns: ReplicationControllerTable.columns, agedCells: ReplicationControllerTable.cells),
        "DaemonSet": Printer(columns: DaemonSetTable.columns, agedCells: DaemonSetTable.cells),
        "Job": Printer(columns: JobTable.columns, cells: JobTable.cells),
        "CronJob": Printer(columns: CronJobTable.columns, cells: CronJobTable.cells),
        "Service": Printer(columns: ServiceTable.columns, agedCells: ServiceTable.cells),
        "PersistentVolumeClaim": Printer(columns: PersistentVolumeClaimTable.columns, agedCells: PersistentVolumeClaimTable.cells),
        "PersistentVolume": Printer(columns: PersistentVolumeTable.columns, agedCells: PersistentVolumeTable.cells),
        "Node": Printer(columns: NodeTable.columns, agedCells: NodeTable.cells),
        "Namespace": Printer(columns: NamespaceTable.columns, agedCells: NamespaceTable.cells),
        "Endpoints": Printer(columns: EndpointsTable.columns, agedCells: EndpointsTable.cells),
        "Event": Printer(columns: EventTable.columns, cells: EventTable.cells),
        "ConfigMap": Printer(columns: ConfigMapTable.columns, agedCells: ConfigMapTable.cells),
        "Secret": Printer(columns: SecretTable.columns, agedCells: SecretTable.cells),
        "ControllerRevision": Printer(columns: ControllerRevisionTable.columns, agedCells: ControllerRevisionTable.cells),
        "StorageClass": Printer(columns: StorageClassTable.columns, agedCells: StorageClassTable.cells),
        "EndpointSlice": Printer(columns: EndpointSliceTable.columns, agedCells: EndpointSliceTable.cells),
        "Lease": Printer(columns: LeaseTable.columns, agedCells: LeaseTable.cells),
        "ServiceAccount": Printer(columns: ServiceAccountTable.columns, agedCells: ServiceAccountTable.cells),
        "Role": Printer(columns: RoleTable.columns, agedCells: RoleTable.cells),
        "ClusterRole": Printer(columns: RoleTable.columns, agedCells: RoleTable.cells),
        "RoleBinding": Printer(columns: RoleBindingTable.columns, agedCells: RoleBindingTable.cells),
        "ClusterRoleBinding": Printer(columns: RoleBindingTable.columns, agedCells: RoleBindingTable.cells),
        "Ingress": Printer(columns: IngressTable.columns, agedCells: IngressTable.cells),
        "IngressClass": Printer(columns: IngressClassTable.columns, agedCells: IngressClassTable.cells),
        "PodDisruptionBudget": Printer(columns: PodDisruptionBudgetTable.columns, agedCells: PodDisruptionBudgetTable.cells),
        "CustomResourceDefinition": Printer(columns: CustomResourceDefinitionTable.columns, agedCells: CustomResourceDefinitionTable.cells),
        "PodTemplate": Printer(columns: PodTemplateTable.columns, agedCells: PodTemplateTable.cells),
        "LimitRange": Printer(columns: LimitRangeTable.columns, agedCells: LimitRangeTable.cells),
        "ResourceQuota": Printer(columns: ResourceQuotaTable.columns, agedCells: ResourceQuotaTable.cells),
        "NetworkPolicy": Printer(columns: NetworkPolicyTable.columns, agedCells: NetworkPolicyTable.cells),
        "PriorityClass": Printer(columns: PriorityClassTable.columns, agedCells: PriorityClassTable.cells),
        "RuntimeClass": Printer(columns: RuntimeClassTable.columns, agedCells: RuntimeClassTable.cells),
        "APIService": Printer(columns: APIServiceTable.columns, agedCells: APIServiceTable.cells),
        "HorizontalPodAutoscaler": Printer(columns: HorizontalPodAutoscalerTable.columns, agedCells: HorizontalPodAutoscalerTable.cells),
    ]

    public static func printer(for kind: String) -> Printer? { printers[kind] }
}
