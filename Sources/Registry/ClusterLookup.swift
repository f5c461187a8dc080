import APIMachinery
import Storage

/// What a resource's store and its strategy read, or set off, beyond their own resource: the phase
/// of the namespace an object goes into, the Service pools, the StorageClasses admission consults,
/// and the namespace lifecycle a removal may complete. Registry builds one for all its stores, as
/// upstream hands its stores and admission plugins listers, so no store holds the Registry.
public struct ClusterLookup: Sendable {
    /// ClusterIPs of Services.
    public let serviceIPs: ServiceIPAllocator
    /// Node ports of NodePort and LoadBalancer Services.
    public let nodePorts: NodePortAllocator
    private let phase: @Sendable (String) -> String?
    private let classes: @Sendable () -> [StoredObject]
    private let removed: @Sendable (String) -> Void
    private let accounts: @Sendable (String, String) -> JSON?
    private let ingressClassList: @Sendable () -> [StoredObject]
    private let priorityClassList: @Sendable () -> [StoredObject]
    private let limitRangeList: @Sendable (String) -> [StoredObject]
    /// ResourceQuota admission of a create: the object, its resource, namespace, and whether it is a dry run.
    let admitQuota: @Sendable (JSON, GroupResource, String, Bool) throws(APIError) -> Void

    /// - Parameters:
    ///   - namespacePhase: a namespace's phase, nil when it does not exist.
    ///   - storageClasses: the stored StorageClasses.
    ///   - contentRemoved: called with the namespace of every object removed from storage.
    ///   - serviceAccount: a ServiceAccount by namespace and name, for the ServiceAccount admission.
    ///   - ingressClasses: the stored IngressClasses, for DefaultIngressClass admission.
    ///   - priorityClasses: the stored PriorityClasses, for Priority admission.
    ///   - limitRanges: a namespace's LimitRanges, for LimitRanger admission.
    ///   - quotaAdmission: charges a create to its namespace's ResourceQuotas, or refuses it.
    public init(serviceIPs: ServiceIPAllocator, nodePorts: NodePortAllocator,
                namespacePhase: @escaping @Sendable (String) -> String?,
                storageClasses: @escaping @Sendable () -> [StoredObject] = { [] },
                contentRemoved: @escaping @Sendable (String) -> Void = { _ in },
                serviceAccount: @escaping @Sendable (String, String) -> JSON? = { _, _ in nil },
                ingressClasses: @escaping @Sendable () -> [StoredObject] = { [] },
                priorityClasses: @escaping @Sendable () -> [StoredObject] = { [] },
                limitRanges: @escaping @Sendable (String) -> [StoredObject] = { _ in [] },
                quotaAdmission: @escaping @Sendable (JSON, GroupResource, String, Bool) throws(APIError) -> Void = { _, _, _, _ in }) {
        self.serviceIPs = serviceIPs
        self.nodePorts = nodePorts
        self.phase = namespacePhase
        self.classes = storageClasses
        self.removed = contentRemoved
        self.accounts = serviceAccount
        self.ingressClassList = ingressClasses
        self.priorityClassList = priorityClasses
        self.limitRangeList = limitRanges
        self.admitQuota = quotaAdmission
    }

    /// A ServiceAccount, nil when it does not exist.
    public func serviceAccount(namespace: String, name: String) -> JSON? { accounts(namespace, name) }

    /// Whether a namespace exists: its phase (`Active`, `Terminating`), or nil.
    public func namespacePhase(_ name: String) -> String? { phase(name) }

    /// The IngressClasses, for DefaultIngressClass admission.
    public func ingressClasses() -> [StoredObject] { ingressClassList() }

    /// The PriorityClasses, for Priority admission (pods and the classes themselves).
    public func priorityClasses() -> [StoredObject] { priorityClassList() }

    /// A namespace's LimitRanges, for LimitRanger admission.
    public func limitRanges(namespace: String) -> [StoredObject] { limitRangeList(namespace) }

    /// The StorageClasses, for DefaultStorageClass admission.
    public func storageClasses() -> [StoredObject] { classes() }

    /// An object of `namespace` was removed from storage: in a Terminating namespace it may have
    /// been the last content the namespace waited for.
    func contentRemoved(fromNamespace namespace: String) { removed(namespace) }
}
