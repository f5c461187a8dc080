import APIMachinery

/// What Deployments and ReplicaSets share in upstream's pkg/apis/apps/validation: the selector
/// checks and ValidatePodTemplateSpecForReplicaSet.
enum ReplicaSetTemplateValidation {
    /// Selector required, valid and not empty. Upstream's ReplicaSet validation reuses the
    /// Deployment's wording ("empty selector is invalid for deployment"), so both say it.
    static func validateSelector(_ selector: JSON?, _ path: FieldPath) -> [FieldError] {
        guard let selector, selector != .null else { return [.required(path, "")] }
        var errs = LabelSelector.validate(selector, path: path)
        let matchLabels = selector["matchLabels"]?.objectValue ?? [:]
        let matchExpressions = selector["matchExpressions"]?.arrayValue ?? []
        if matchLabels.isEmpty && matchExpressions.isEmpty {
            errs.append(.invalid(path, selector, "empty selector is invalid for deployment"))
        }
        return errs
    }

    /// ValidatePodTemplateSpecForReplicaSet: labels matched by the selector, the template's
    /// metadata and pod spec valid, restartPolicy Always, no activeDeadlineSeconds.
    static func validateTemplate(_ template: JSON?, selector: JSON?, _ path: FieldPath) -> [FieldError] {
        validateTemplate(template, selector: LabelSelector(json: selector), path) { deadlinePath, deadline in
            .invalid(deadlinePath, deadline, "activeDeadlineSeconds in ReplicaSet is not Supported")
        }
    }

    /// The same checks for any replicated kind (ValidatePodTemplateSpecForRC says the deadline is
    /// Forbidden, the ReplicaSet's wording says Invalid: `deadlineError` words it).
    static func validateTemplate(_ template: JSON?, selector parsed: LabelSelector, _ path: FieldPath,
                                 deadlineError: (FieldPath, JSON) -> FieldError) -> [FieldError] {
        guard let template, template != .null else { return [.required(path, "")] }
        var errs: [FieldError] = []
        if !parsed.isEmpty && !parsed.matchesNothing {
            let labels = Dictionary(template[path: "metadata"]?.stringMap("labels") ?? [], uniquingKeysWith: { a, _ in a })
            if !parsed.matches(labels) {
                errs.append(FieldError(.invalid, path.child("metadata").child("labels"),
                                       value: FieldValidation.goStringMap(template[path: "metadata", "labels"]),
                                       "`selector` does not match template `labels`"))
            }
        }
        errs += ObjectMetaValidation.validateLabels(template[path: "metadata", "labels"], path: path.child("labels"))
        errs += ObjectMetaValidation.validateAnnotations(template[path: "metadata", "annotations"], path: path.child("annotations"))
        let spec = template["spec"] ?? [:]
        errs += PodSpecValidation.validate(spec, path.child("spec"))
        let restartPolicy = spec["restartPolicy"] ?? ""
        if restartPolicy.stringValue != "Always" {
            errs.append(.notSupported(path.child("spec").child("restartPolicy"), restartPolicy, ["Always"]))
        }
        if let deadline = spec["activeDeadlineSeconds"], deadline != .null {
            errs.append(deadlineError(path.child("spec").child("activeDeadlineSeconds"), deadline))
        }
        return errs
    }
}
