import APIMachinery

/// pkg/apis/batch/validation for Jobs and the job templates of CronJobs.
enum JobValidation {
    /// Indexed Jobs may have at most this many completions and pods at once.
    static let maxParallelismForIndexedJob: Int64 = 100_000
    static let maxCompletionsForIndexedJob: Int64 = 100_000

    /// ValidateGeneratedSelector: with a generated selector the template must carry the generated
    /// labels with the Job's uid and name, and the selector must select that uid.
    static func generatedSelector(_ job: JSON) -> [FieldError] {
        if job[path: "spec", "manualSelector"]?.boolValue == true { return [] }
        guard let selector = job[path: "spec", "selector"], selector != .null else { return [] }
        let uid = job[path: "metadata", "uid"]?.stringValue ?? ""
        let name = job[path: "metadata", "name"]?.stringValue ?? ""
        let metadataPath = FieldPath("spec.template.metadata")
        let labels = job[path: "spec", "template", "metadata", "labels"]
        var errs: [FieldError] = []
        for (key, value) in [(JobStrategy.controllerUIDLabel, uid), (JobStrategy.jobNameLabel, name),
                             (JobStrategy.legacyControllerUIDLabel, uid), (JobStrategy.legacyJobNameLabel, name)] {
            errs += hasLabel(labels, key, value, metadataPath)
        }
        if !LabelSelector(json: selector).matches([JobStrategy.controllerUIDLabel: uid]) {
            errs.append(.invalid(FieldPath("spec.selector"), selector, "`selector` not auto-generated"))
        }
        return errs
    }

    /// ValidateHasLabel.
    static func hasLabel(_ labels: JSON?, _ key: String, _ expected: String, _ path: FieldPath) -> [FieldError] {
        let labelPath = path.child("labels").key(key)
        guard let actual = labels?[key]?.stringValue else { return [.required(labelPath, expected)] }
        if actual == expected { return [] }
        return [FieldError(.invalid, labelPath, value: FieldValidation.goStringMap(labels), "must be '\(expected)'")]
    }

    /// ValidateJobSpec: the template checks plus a required, valid selector that selects the template.
    static func validateSpec(_ spec: JSON, _ path: FieldPath) -> [FieldError] {
        var errs = validateTemplateSpec(spec, path)
        let selector = spec["selector"]
        if selector == nil || selector == .null {
            errs.append(.required(path.child("selector"), ""))
        } else {
            errs += LabelSelector.validate(selector, path: path.child("selector"))
            let labels = Dictionary(spec[path: "template", "metadata"]?.stringMap("labels") ?? [], uniquingKeysWith: { a, _ in a })
            if !LabelSelector(json: selector).matches(labels) {
                errs.append(FieldError(.invalid, path.child("template").child("metadata").child("labels"),
                                       value: goLabels(spec[path: "template", "metadata", "labels"]),
                                       "`selector` does not match template `labels`"))
            }
        }
        return errs
    }

    /// Go's %#v of a label map, `map[string]string(nil)` when there is none.
    static func goLabels(_ labels: JSON?) -> String {
        labels?.objectValue == nil ? "map[string]string(nil)" : FieldValidation.goStringMap(labels)
    }

    /// validateJobSpec: what a Job and a CronJob's job template share.
    static func validateTemplateSpec(_ spec: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        for key in ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"]
        where !spec.isUnset(key) {
            errs += FieldValidation.nonnegative(spec[key], path.child(key))
        }
        let mode = spec["completionMode"]?.stringValue
        if let mode, mode != "NonIndexed", mode != "Indexed" {
            errs.append(.notSupported(path.child("completionMode"), spec["completionMode"], ["Indexed", "NonIndexed"]))
        }
        if mode == "Indexed" {
            if spec.isUnset("completions") {
                errs.append(.required(path.child("completions"), "when completion mode is Indexed"))
            } else if let completions = spec["completions"]?.intValue, completions > maxCompletionsForIndexedJob {
                errs.append(.invalid(path.child("completions"), spec["completions"], "must be less than or equal to 100000 when completion mode is Indexed"))
            }
            if let parallelism = spec["parallelism"]?.intValue, parallelism > maxParallelismForIndexedJob {
                errs.append(.invalid(path.child("parallelism"), spec["parallelism"], "must be less than or equal to 100000 when completion mode is Indexed"))
            }
        }
        if let policy = spec["podReplacementPolicy"], policy != .null {
            let value = policy.stringValue ?? ""
            if value != "Failed" && value != "TerminatingOrFailed" {
                errs.append(.notSupported(path.child("podReplacementPolicy"), policy, ["Failed", "TerminatingOrFailed"]))
            } else if value != "Failed", !spec.isUnset("podFailurePolicy") {
                errs.append(.notSupported(path.child("podReplacementPolicy"), policy, ["Failed"]))
            }
        }
        if !spec.isUnset("podFailurePolicy") { errs += PodFailurePolicyValidation.validate(spec, path.child("podFailurePolicy")) }
        if !spec.isUnset("successPolicy") { errs += SuccessPolicyValidation.validate(spec, path.child("successPolicy")) }
        errs += validatePodTemplate(spec["template"] ?? [:], path.child("template"))
        errs += validateRestartPolicy(spec, path)
        return errs
    }

    /// ValidatePodTemplateSpec plus the Job's restartPolicy rule (OnFailure or Never).
    static func validatePodTemplate(_ template: JSON, _ path: FieldPath) -> [FieldError] {
        var errs = ObjectMetaValidation.validateLabels(template[path: "metadata", "labels"], path: path.child("labels"))
        errs += ObjectMetaValidation.validateAnnotations(template[path: "metadata", "annotations"], path: path.child("annotations"))
        let podSpec = template["spec"] ?? [:]
        errs += PodSpecValidation.validate(podSpec, path.child("spec"))
        return errs
    }

    /// The restartPolicy rule: Always (what defaulting gives an unset one) or unset is "required"
    /// to be OnFailure or Never; anything else unsupported; with a podFailurePolicy only Never.
    static func validateRestartPolicy(_ spec: JSON, _ path: FieldPath) -> [FieldError] {
        let restartPolicy = spec[path: "template", "spec", "restartPolicy"] ?? ""
        let policyPath = path.child("template").child("spec").child("restartPolicy")
        switch restartPolicy.stringValue ?? "" {
        case "Always", "": return [.required(policyPath, "valid values: \"OnFailure\", \"Never\"")]
        case "OnFailure":
            return spec.isUnset("podFailurePolicy") ? [] : [.invalid(policyPath, restartPolicy, "only \"Never\" is supported when podFailurePolicy is specified")]
        case "Never": return []
        default: return [.notSupported(policyPath, restartPolicy, ["OnFailure", "Never"])]
        }
    }

    /// validateJobStatus: counts not negative, uncounted pod uids neither empty nor repeated (a
    /// status write through `jobs/status` changes only these; a spec update carries the stored ones).
    static func validateStatus(_ status: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        for key in ["active", "succeeded", "failed", "ready", "terminating"] where !status.isUnset(key) {
            errs += FieldValidation.nonnegative(status[key], path.child(key))
        }
        var seen = Set<String>()
        for kind in ["succeeded", "failed"] {
            for (i, uid) in (status[path: "uncountedTerminatedPods", kind]?.arrayValue ?? []).enumerated() {
                let uidPath = path.child("uncountedTerminatedPods").child(kind).index(i)
                let text = uid.stringValue ?? ""
                if text.isEmpty {
                    errs.append(.invalid(uidPath, uid, "must not be empty"))
                } else if !seen.insert(text).inserted {
                    errs.append(.duplicate(uidPath, uid))
                }
            }
        }
        return errs
    }

    /// ValidateJobSpecUpdate: selector, completion mode, pod failure policy and per-index backoff
    /// never change; completions only together with parallelism in an Indexed Job (elastic Indexed
    /// Jobs); the template only in its scheduling directives while the Job is suspended and has
    /// never started.
    static func validateSpecUpdate(_ job: JSON, old: JSON) -> [FieldError] {
        let spec = job["spec"] ?? [:], oldSpec = old["spec"] ?? [:]
        let path = FieldPath("spec")
        var errs: [FieldError] = []
        let completionsChanged = !SemanticEquality.equal(spec["completions"], oldSpec["completions"])
        if completionsChanged {
            // validateCompletions: an Indexed Job's completions move with its parallelism (elastic
            // Indexed Jobs); unset completions are reported by the spec validation.
            if spec["completionMode"]?.stringValue != "Indexed" {
                errs += immutable(spec["completions"], oldSpec["completions"], path.child("completions"))
            } else if let completions = spec["completions"]?.intValue, completions != spec["parallelism"]?.intValue {
                errs.append(.invalid(path.child("completions"), spec["completions"], "can only be modified in tandem with spec.parallelism"))
            }
        }
        for key in ["selector", "completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"] {
            errs += immutable(spec[key], oldSpec[key], path.child(key))
        }
        let suspendedNeverStarted = oldSpec["suspend"]?.boolValue == true && old.isUnsetPath("status", "startTime")
        let template = spec["template"], oldTemplate = oldSpec["template"]
        if suspendedNeverStarted {
            if !SemanticEquality.equal(schedulingInvariant(template), schedulingInvariant(oldTemplate)) {
                errs.append(.invalid(path.child("template"), template ?? .null, FieldValidation.fieldImmutableErrorMsg))
            }
        } else {
            errs += immutable(template, oldTemplate, path.child("template"))
        }
        return errs
    }

    /// ValidateImmutableField with Semantic.DeepEqual: absent, null and empty are the same.
    static func immutable(_ new: JSON?, _ old: JSON?, _ path: FieldPath) -> [FieldError] {
        SemanticEquality.equal(new, old) ? [] : [.invalid(path, new ?? .null, FieldValidation.fieldImmutableErrorMsg)]
    }

    /// The template without what a suspended, never started Job may change (node affinity, node
    /// selector, tolerations, labels, annotations, scheduling gates).
    static func schedulingInvariant(_ template: JSON?) -> JSON {
        var t = template ?? .null
        t.setValue(nil, at: ["metadata", "labels"])
        t.setValue(nil, at: ["metadata", "annotations"])
        for key in ["nodeSelector", "tolerations", "schedulingGates"] { t.setValue(nil, at: ["spec", key]) }
        t.setValue(nil, at: ["spec", "affinity", "nodeAffinity"])
        return t
    }
}

extension JSON {
    func isUnsetPath(_ keys: String...) -> Bool {
        let value = self[path: keys[...]]
        return value == nil || value == .null
    }
}
