import APIMachinery

/// apps/v1 DaemonSets (pkg/registry/apps/daemonset/strategy.go, SetDefaults_DaemonSet,
/// ValidateDaemonSet / ValidateDaemonSetUpdate). The internal templateGeneration is kept, as
/// apps/v1 conversion keeps it, in the `deprecated.daemonset.template.generation` annotation:
/// 1 on create, one more whenever the template changes.
public struct DaemonSetStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.daemonSets }
    public var tracksGeneration: Bool { true }
    public static let templateGenerationAnnotation = "deprecated.daemonset.template.generation"

    public func applyDefaults(_ object: inout JSON) {
        object.modifyPath("spec") { spec in
            spec.modifyPath("updateStrategy") { strategy in
                strategy.setDefault("type", "RollingUpdate")
                guard strategy["type"]?.stringValue == "RollingUpdate" else { return }
                if strategy["rollingUpdate"] == nil || strategy["rollingUpdate"] == .null { strategy["rollingUpdate"] = [:] }
                strategy.modifyPath("rollingUpdate") { rolling in
                    rolling.setDefault("maxUnavailable", 1)
                    rolling.setDefault("maxSurge", 0)
                }
            }
            spec.setDefault("revisionHistoryLimit", 10)
            spec.modifyPath("template") { PodTemplateDefaults.apply(&$0) }
        }
    }

    /// The zero DaemonSetStatus (its four counts have no omitempty) and template generation 1.
    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = ["currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0]
        Self.setTemplateGeneration(&object, 1)
    }

    /// The stored status stays; a changed template moves the template generation on.
    public func prepareForUpdate(_ object: inout JSON, old: JSON) {
        object["status"] = old["status"]
        var generation = Self.templateGeneration(old)
        if object[path: "spec", "template"] != old[path: "spec", "template"] { generation += 1 }
        Self.setTemplateGeneration(&object, max(generation, 1))
    }

    static func templateGeneration(_ object: JSON) -> Int64 {
        Int64(object[path: "metadata", "annotations", templateGenerationAnnotation]?.stringValue ?? "") ?? 0
    }

    static func setTemplateGeneration(_ object: inout JSON, _ generation: Int64) {
        object.modifyPath("metadata") { metadata in
            if metadata["annotations"] == nil || metadata["annotations"] == .null { metadata["annotations"] = [:] }
            metadata.modifyPath("annotations") { $0[templateGenerationAnnotation] = .string(String(generation)) }
        }
    }

    public func validate(_ object: JSON) -> [FieldError] {
        Self.validateSpec(object["spec"] ?? [:], FieldPath("spec"))
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        validate(object) + FieldValidation.immutable(object[path: "spec", "selector"], old[path: "spec", "selector"], FieldPath("spec.selector"))
            + WorkloadStatusValidation.daemonSet(object["status"])
    }

    /// ValidateDaemonSetSpec.
    static func validateSpec(_ spec: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        let selector = spec["selector"]
        let templatePath = path.child("template")
        if let selector, selector != .null {
            errs += LabelSelector.validate(selector, path: path.child("selector"))
            let matchLabels = selector["matchLabels"]?.objectValue ?? [:]
            let matchExpressions = selector["matchExpressions"]?.arrayValue ?? []
            if matchLabels.isEmpty && matchExpressions.isEmpty {
                errs.append(.invalid(path.child("selector"), selector, "empty selector is invalid for daemonset"))
            }
        } else {
            errs.append(.required(path.child("selector")))
        }
        let template = spec["template"] ?? [:]
        errs += ReplicaSetTemplateValidation.validateTemplate(template, selector: LabelSelector(json: selector), templatePath) { deadlinePath, deadline in
            .invalid(deadlinePath, deadline, "activeDeadlineSeconds must be nil for daemonset")
        }
        errs += FieldValidation.nonnegative(spec["minReadySeconds"], path.child("minReadySeconds"))
        errs += FieldValidation.nonnegative(spec["revisionHistoryLimit"], path.child("revisionHistoryLimit"))
        errs += validateUpdateStrategy(spec["updateStrategy"] ?? [:], path.child("updateStrategy"))
        return errs
    }

    /// ValidateDaemonSetUpdateStrategy and ValidateRollingUpdateDaemonSet: exactly one of
    /// maxUnavailable and maxSurge is non-zero.
    static func validateUpdateStrategy(_ strategy: JSON, _ path: FieldPath) -> [FieldError] {
        switch strategy["type"]?.stringValue ?? "" {
        case "OnDelete":
            return []
        case "RollingUpdate":
            guard let rolling = strategy["rollingUpdate"], rolling != .null else { return [.required(path.child("rollingUpdate"))] }
            let rollingPath = path.child("rollingUpdate")
            var errs: [FieldError] = []
            var nonZero: [String: Bool] = [:]
            for field in ["maxUnavailable", "maxSurge"] {
                guard let value = rolling[field], value != .null, let (n, isPercent) = IntOrPercent.value(value), n != 0 else {
                    if let value = rolling[field], value != .null, IntOrPercent.value(value) == nil {
                        errs += IntOrPercent.validatePositive(value, rollingPath.child(field))
                    }
                    continue
                }
                nonZero[field] = true
                errs += IntOrPercent.validatePositive(value, rollingPath.child(field))
                if isPercent && n > 100 { errs.append(.invalid(rollingPath.child(field), value, "must not be greater than 100%")) }
            }
            if nonZero["maxUnavailable"] == true && nonZero["maxSurge"] == true {
                errs.append(.invalid(rollingPath.child("maxSurge"), rolling["maxSurge"], "may not be set when maxUnavailable is non-zero"))
            } else if nonZero.isEmpty {
                errs.append(.required(rollingPath.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
            }
            return errs
        default:
            return [.notSupported(path, strategy, ["RollingUpdate", "OnDelete"])]
        }
    }
}
