import APIMachinery

/// How unknown and duplicate fields in a request body are treated (`?fieldValidation=`).
public enum FieldValidationDirective: String, Sendable {
    case strict = "Strict", warn = "Warn", ignore = "Ignore"

    /// Parses the query value; upstream's default when absent is Warn.
    public static func parse(_ value: String?) throws(APIError) -> FieldValidationDirective {
        guard let value, !value.isEmpty else { return .warn }
        guard let v = FieldValidationDirective(rawValue: value) else {
            throw .badRequest("fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got \"\(value)\"")
        }
        return v
    }
}

/// Options common to every write: `?dryRun=All`, `?fieldManager=`, `?fieldValidation=`, and
/// an apply patch's `?force=`.
public struct WriteOptions: Sendable {
    public var dryRun = false
    public var fieldManager: String?
    public var fieldValidation: FieldValidationDirective = .warn
    /// `?force=true`: an apply takes the fields other managers own instead of failing.
    public var force = false
    /// The request's User-Agent, which names the manager of a write that gives no fieldManager
    /// (a controller's client sends kube-controller-manager's or kube-scheduler's); nil for the
    /// server's own writes (bootstrap, the kubelet), recorded as kube-controller-manager.
    public var userAgent: String?
    /// Who the request acts as: the authenticated (or impersonated) user, or the controller's user
    /// its client authorized; nil for the server's own writes (bootstrap, the kubelet), which act as
    /// the loopback client in `system:masters` and are never refused as escalation.
    public var requester: UserInfo?
    public init(dryRun: Bool = false, fieldManager: String? = nil, fieldValidation: FieldValidationDirective = .warn,
                force: Bool = false, userAgent: String? = nil) {
        self.dryRun = dryRun; self.fieldManager = fieldManager; self.fieldValidation = fieldValidation
        self.force = force; self.userAgent = userAgent
    }

    /// The manager a write is recorded under (upstream's `managerOrUserAgent`): the fieldManager,
    /// else the User-Agent up to its first `/` (`kubectl/v1.32.0 (linux/amd64)` is `kubectl`).
    public var managerName: String {
        if let fieldManager, !fieldManager.isEmpty { return fieldManager }
        guard let userAgent else { return "kube-controller-manager" }
        return String(userAgent.prefix { $0 != "/" })
    }
}

/// A request body already parsed from JSON or YAML, with the duplicate keys the parser saw
/// (strict field validation rejects them).
public struct RequestBody: Sendable {
    public var value: JSON
    public var duplicateFields: [String]
    /// The bytes as the client sent them, when there were any: decode errors quote their start.
    public var raw: [UInt8]?
    public init(value: JSON, duplicateFields: [String] = [], raw: [UInt8]? = nil) {
        self.value = value; self.duplicateFields = duplicateFields; self.raw = raw
    }
}

/// The result of a write: the stored (or, for dry runs, would-be-stored) object and any warnings
/// for the `Warning` response header.
public struct WriteResult: Sendable {
    public var object: JSON
    /// Encoded JSON of `object`; for stored objects these are the bytes in storage.
    public var bytes: [UInt8]
    public var warnings: [String]
    /// An apply that created the object (answered 201).
    public var created = false
    public init(object: JSON, bytes: [UInt8]? = nil, warnings: [String] = [], created: Bool = false) {
        self.object = object; self.bytes = bytes ?? JSONWriter.encode(object); self.warnings = warnings; self.created = created
    }
}

/// `DeleteOptions` from the body or the query.
public struct DeleteOptions: Sendable {
    public enum Propagation: String, Sendable { case orphan = "Orphan", background = "Background", foreground = "Foreground" }
    public var gracePeriodSeconds: Int64?
    public var propagationPolicy: Propagation?
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    public var dryRun = false
    public init() {}
}

/// The outcome of a delete: removed now, or only marked (finalizers or grace period pending).
public enum DeleteResult: Sendable {
    case deleted(JSON)
    case marked(JSON)
}
