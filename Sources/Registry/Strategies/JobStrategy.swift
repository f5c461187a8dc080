import APIMachinery

/// Jobs (pkg/registry/batch/job/strategy.go, batch/v1 SetDefaults_Job, ValidateJob /
/// ValidateJobUpdate).
public struct JobStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.jobs }
    public var tracksGeneration: Bool { true }

    /// The labels the API server puts on a Job's pod template when it generates the selector.
    public static let controllerUIDLabel = "batch.kubernetes.io/controller-uid"
    public static let legacyControllerUIDLabel = "controller-uid"
    public static let jobNameLabel = "batch.kubernetes.io/job-name"
    public static let legacyJobNameLabel = "job-name"

    /// SetDefaults_Job: one completion and one pod when neither is set, six retries, NonIndexed,
    /// not suspended, no manual selector, pods replaced once terminating or failed; the Job takes
    /// its template's labels when it has none.
    public func applyDefaults(_ object: inout JSON) {
        object.modifyPath("spec") { spec in
            if spec.isUnset("completions") && spec.isUnset("parallelism") {
                spec["completions"] = 1
                spec["parallelism"] = 1
            }
            spec.setDefault("parallelism", 1)
            spec.setDefault("backoffLimit", .int(spec.isUnset("backoffLimitPerIndex") ? 6 : Int64(Int32.max)))
            spec.setDefault("completionMode", "NonIndexed")
            spec.setDefault("suspend", false)
            spec.setDefault("manualSelector", false)
            spec.setDefault("podReplacementPolicy", spec.isUnset("podFailurePolicy") ? "TerminatingOrFailed" : "Failed")
            spec.modifyPath("template") { PodTemplateDefaults.apply(&$0) }
        }
        Self.copyTemplateLabels(&object)
    }

    /// A Job without labels shows its template's (upstream defaults them on every decode, so the
    /// generated selector labels appear on the Job too).
    static func copyTemplateLabels(_ object: inout JSON) {
        let labels = object[path: "spec", "template", "metadata", "labels"]
        guard let labels, labels.objectValue != nil else { return }
        if (object[path: "metadata", "labels"]?.objectValue ?? [:]).isEmpty { object[path: "metadata", "labels"] = labels }
    }

    /// A new Job's status is the zero JobStatus; unless the selector is manual, the API server
    /// generates it from the Job's uid (upstream does this in Validate, once the uid is set).
    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = [:]
        if object[path: "spec", "manualSelector"]?.boolValue != true { Self.generateSelector(&object) }
        Self.copyTemplateLabels(&object)
    }

    /// generateSelector: the job-name and controller-uid labels (prefixed and legacy) on the
    /// template unless the user set them, and a selector on the prefixed controller-uid.
    static func generateSelector(_ object: inout JSON) {
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        let uid = object[path: "metadata", "uid"]?.stringValue ?? ""
        var labels = object[path: "spec", "template", "metadata", "labels"]?.objectValue ?? [:]
        for key in [legacyJobNameLabel, jobNameLabel] where labels[key] == nil { labels[key] = .string(name) }
        for key in [legacyControllerUIDLabel, controllerUIDLabel] where labels[key] == nil { labels[key] = .string(uid) }
        object[path: "spec", "template", "metadata", "labels"] = .object(labels)
        var selector = object[path: "spec", "selector"]?.objectValue ?? [:]
        var matchLabels = selector["matchLabels"]?.objectValue ?? [:]
        if matchLabels[controllerUIDLabel] == nil { matchLabels[controllerUIDLabel] = .string(uid) }
        selector["matchLabels"] = .object(matchLabels)
        object[path: "spec", "selector"] = .object(selector)
    }

    public func validate(_ object: JSON) -> [FieldError] {
        JobValidation.generatedSelector(object) + JobValidation.validateSpec(object["spec"] ?? [:], FieldPath("spec"))
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        JobValidation.validateSpec(object["spec"] ?? [:], FieldPath("spec"))
            + JobValidation.validateSpecUpdate(object, old: old)
            + JobValidation.validateStatus(object["status"] ?? [:], FieldPath("status"))
    }

    /// batch/v1 Jobs orphan their pods unless told otherwise, and say so (job storage's Delete).
    public var defaultDeletePropagation: (policy: DeleteOptions.Propagation, warning: String?)? {
        (.orphan, "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning")
    }

    /// Upstream's JobToSelectableFields adds status.successful.
    public func selectableFields(_ object: JSON) -> [String: String] {
        var fields = Self.metadataFields(object)
        fields["status.successful"] = String(object[path: "status", "succeeded"]?.intValue ?? 0)
        return fields
    }
}

extension JSON {
    /// Whether a pointer member is unset (absent or null).
    func isUnset(_ key: String) -> Bool { self[key] == nil || self[key] == .null }
}
