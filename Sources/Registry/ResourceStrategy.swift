import APIMachinery
import Foundation

/// What one resource adds to the generic store, as upstream's rest.RESTCreateStrategy /
/// RESTUpdateStrategy do: defaults, preparation, validation and how its rows print in tables.
/// Every method receives the object as decoded JSON (already pruned to the kind's schema).
public protocol ResourceStrategy: Sendable {
    var resource: APIResource { get }

    /// Upstream's ValidateNameFunc for the kind, which the store applies to metadata.name and generateName.
    var nameValidator: NameValidator { get }

    /// Whether an unprefixed finalizer must be a standard one (core's validateKubeFinalizerName):
    /// true for built-in kinds; CRDs and custom resources get apimachinery's generic rule only.
    var validatesKubeFinalizerNames: Bool { get }

    /// Whether metadata.generation starts at 1 and moves when the spec changes (workloads do; most kinds don't).
    var tracksGeneration: Bool { get }

    /// Upstream's SetDefaults_* for the kind, applied on create and on update after decoding.
    func applyDefaults(_ object: inout JSON)

    /// Clears what a client may not set on create (usually `status`) and sets initial values.
    func prepareForCreate(_ object: inout JSON)

    /// Keeps what the main resource may not change on update (usually the old `status`).
    func prepareForUpdate(_ object: inout JSON, old: JSON)

    /// Whether an update moves `metadata.generation` (for kinds that track it): upstream's
    /// strategies compare the spec; custom resources compare everything outside metadata.
    func specChanged(_ object: JSON, old: JSON) -> Bool

    /// Kind-specific validation of a new object (metadata is validated by the store).
    func validate(_ object: JSON) -> [FieldError]

    /// Kind-specific validation of an update, including immutable fields.
    func validateUpdate(_ object: JSON, old: JSON) -> [FieldError]

    /// Kind-specific validation of a write through the status subresource; `object` is the stored
    /// object with the new status (its spec is the stored one). By default `validateUpdate`.
    func validateStatusUpdate(_ object: JSON, old: JSON) -> [FieldError]

    /// Whether DELETE answers with the deleted object (pods, services) rather than a success Status.
    var returnsDeletedObject: Bool { get }

    /// Field values a `fieldSelector` may test (upstream's per-kind field label set); every kind has
    /// metadata.name and metadata.namespace.
    func selectableFields(_ object: JSON) -> [String: String]

    /// Mutating admission on create, for what upstream's admission plugins add from the cluster's
    /// state (DefaultStorageClass reads the StorageClasses); runs after defaulting and before
    /// `prepareForCreate` and validation, as upstream's mutating admission runs before the store.
    func admit(_ object: inout JSON, cluster: ClusterLookup) throws(APIError)

    /// Takes what the object needs from cluster-wide pools (service IPs) just before it is stored;
    /// returns the addresses taken so a failed create can give them back.
    func allocate(_ object: inout JSON, cluster: ClusterLookup) throws(APIError) -> [String]

    /// Gives pool resources back when the object is deleted (or its create failed).
    func release(_ object: JSON, cluster: ClusterLookup)

    /// Upstream's CheckGracefulDelete: the grace period a DELETE of `object` gets, or nil for kinds
    /// that are removed at once. A period above 0 only marks the object (deletionTimestamp = now +
    /// period); whoever runs it (the kubelet, for pods) deletes it again with period 0.
    func gracefulDeletionPeriod(_ object: JSON, options: DeleteOptions) -> Int64?

    /// Takes and gives back pool resources when an update changes what the object needs (a
    /// Service changing type or ports), just before it is stored: the transaction's `revert` runs
    /// if the write does not happen, its `commit` once it is stored.
    func allocateUpdate(_ object: inout JSON, old: JSON, cluster: ClusterLookup) throws(APIError) -> AllocationTransaction

    /// Upstream's DefaultGarbageCollectionPolicy when a client's DELETE names no propagation
    /// policy (nil: background), and the warning upstream then answers with, if any.
    var defaultDeletePropagation: (policy: DeleteOptions.Propagation, warning: String?)? { get }

    /// Columns of `kubectl get` (priority 0) and `-o wide` (priority 1), as upstream's printers define them.
    var tableColumns: [TableColumn] { get }

    /// One row's cells in the order of `tableColumns`.
    func tableCells(_ object: JSON, now: Date) -> [JSON]

    /// `tableCells` with the time-relative cells left open (rendering it at `now` gives exactly
    /// `tableCells(object, now:)`), so a Table LIST can keep each stored revision's row; nil when the
    /// kind's cells are not written that way. A strategy that overrides `tableCells` must override
    /// this too (nil is always correct).
    func tableCellTemplate(_ object: JSON) -> [TableCell]?
    /// Set when this strategy serves another version of a resource stored in a different one
    /// (events.k8s.io/v1 Events, autoscaling/v1 HorizontalPodAutoscalers): its store is a view.
    var conversion: (any VersionConversion)? { get }
}

extension ResourceStrategy {
    public var tracksGeneration: Bool { false }
    public var validatesKubeFinalizerNames: Bool { true }
    /// Most kinds' names are DNS-1123 subdomains.
    public var nameValidator: NameValidator { NameValidation.nameIsDNSSubdomain }
    public var returnsDeletedObject: Bool { false }
    public var conversion: (any VersionConversion)? { nil }
    public var defaultDeletePropagation: (policy: DeleteOptions.Propagation, warning: String?)? { nil }
    public func admit(_ object: inout JSON, cluster: ClusterLookup) throws(APIError) {}
    public func allocate(_ object: inout JSON, cluster: ClusterLookup) throws(APIError) -> [String] { [] }
    public func release(_ object: JSON, cluster: ClusterLookup) {}
    public func gracefulDeletionPeriod(_ object: JSON, options: DeleteOptions) -> Int64? { nil }
    public func allocateUpdate(_ object: inout JSON, old: JSON, cluster: ClusterLookup) throws(APIError) -> AllocationTransaction { .none }
    public func selectableFields(_ object: JSON) -> [String: String] { Self.metadataFields(object) }
    /// The fields every kind can be selected by.
    public static func metadataFields(_ object: JSON) -> [String: String] {
        ["metadata.name": object[path: "metadata", "name"]?.stringValue ?? "",
         "metadata.namespace": object[path: "metadata", "namespace"]?.stringValue ?? ""]
    }
    public func applyDefaults(_ object: inout JSON) {}
    /// Most kinds with a status drop a client-set status on create, as upstream's strategies do.
    public func prepareForCreate(_ object: inout JSON) {
        if resource.subresources.contains("status") { object["status"] = nil }
    }
    /// Most kinds with a status subresource keep the stored status on a main-resource update.
    public func prepareForUpdate(_ object: inout JSON, old: JSON) {
        if resource.subresources.contains("status") { object["status"] = old["status"] }
    }
    public func specChanged(_ object: JSON, old: JSON) -> Bool { !SemanticEquality.equal(object["spec"], old["spec"]) }
    public func validate(_ object: JSON) -> [FieldError] { [] }
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] { validate(object) }
    public func validateStatusUpdate(_ object: JSON, old: JSON) -> [FieldError] { validateUpdate(object, old: old) }
    /// The default columns upstream uses for kinds without a printer: NAME and AGE.
    /// The kind's upstream printer columns (Tables/), or NAME and AGE for a kind without one.
    public var tableColumns: [TableColumn] { ResourceTables.printer(for: resource.kind)?.columns ?? [.name, .age] }
    public func tableCells(_ object: JSON, now: Date) -> [JSON] {
        if let printer = ResourceTables.printer(for: resource.kind) { return printer.cells(object, now) }
        return [object[path: "metadata", "name"] ?? "", .string(TableColumn.age(of: object, now: now))]
    }
    public func tableCellTemplate(_ object: JSON) -> [TableCell]? {
        guard let printer = ResourceTables.printer(for: resource.kind) else {
            return [.value(object[path: "metadata", "name"] ?? ""), PrinterFormat.ageCell(object)]
        }
        return printer.template?(object)
    }
}

/// A column of a meta.k8s.io/v1 Table.
public struct TableColumn: Sendable, Equatable {
    public var name: String
    public var type: String
    public var format: String
    public var description: String
    /// 0: shown by `kubectl get`; 1: only with `-o wide`.
    public var priority: Int

    public init(name: String, type: String = "string", format: String = "", description: String = "", priority: Int = 0) {
        self.name = name; self.type = type; self.format = format; self.description = description; self.priority = priority
    }

    public static let name = TableColumn(name: "Name", format: "name", description: "Name must be unique within a namespace.")
    public static let age = TableColumn(name: "Age", description: "CreationTimestamp is a timestamp representing the server time when this object was created.")

    /// Upstream's translateTimestampSince: the age of an object as kubectl prints it (`5s`, `3m20s`, `2d`).
    public static func age(of object: JSON, now: Date) -> String {
        guard let created = created(object) else { return "<unknown>" }
        return Timestamp.humanDuration(now.timeIntervalSince(created))
    }

    /// metadata.creationTimestamp, or nil when missing or unreadable (AGE then prints `<unknown>`).
    static func created(_ object: JSON) -> Date? {
        guard let ts = object[path: "metadata", "creationTimestamp"]?.stringValue else { return nil }
        return Timestamp.parse(ts)
    }
}
