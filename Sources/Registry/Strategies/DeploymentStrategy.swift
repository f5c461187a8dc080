import APIMachinery

/// Deployments (pkg/registry/apps/deployment/strategy.go, apps/v1 SetDefaults_Deployment,
/// ValidateDeployment / ValidateDeploymentUpdate).
public struct DeploymentStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.deployments }
    public var tracksGeneration: Bool { true }

    /// SetDefaults_Deployment: one replica, RollingUpdate 25%/25%, ten old ReplicaSets kept,
    /// a 600 s progress deadline; the template gets the pod template defaults.
    public func applyDefaults(_ object: inout JSON) {
        object.modifyPath("spec") { spec in
            spec.setDefault("replicas", 1)
            spec.modifyPath("strategy") { strategy in
                if strategy.string("type").isEmpty { strategy["type"] = "RollingUpdate" }
                if strategy.string("type") == "RollingUpdate" {
                    if strategy["rollingUpdate"] == nil || strategy["rollingUpdate"] == .null { strategy["rollingUpdate"] = [:] }
                    strategy.modifyObject("rollingUpdate") { ru in
                        ru.setDefault("maxUnavailable", "25%")
                        ru.setDefault("maxSurge", "25%")
                    }
                }
            }
            spec.modifyPath("template") { PodTemplateDefaults.apply(&$0) }
            spec.setDefault("revisionHistoryLimit", 10)
            spec.setDefault("progressDeadlineSeconds", 600)
        }
    }

    /// A new Deployment's status is the zero DeploymentStatus (every member omitempty).
    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = [:]
    }

    /// The old status stays; a change of annotations moves the generation as a spec change does,
    /// because the controller copies annotations onto the ReplicaSets (upstream PrepareForUpdate).
    public func prepareForUpdate(_ object: inout JSON, old: JSON) {
        object["status"] = old["status"]
        let specChanged = !SemanticEquality.equal(object["spec"], old["spec"])
        let annotationsChanged = !SemanticEquality.equal(object[path: "metadata", "annotations"] ?? [:],
                                                         old[path: "metadata", "annotations"] ?? [:])
        // The store moves the generation itself when the spec changed.
        if annotationsChanged && !specChanged {
            let generation = old[path: "metadata", "generation"]?.intValue ?? 0
            object[path: "metadata", "generation"] = .int(generation + 1)
        }
    }

    public func validate(_ object: JSON) -> [FieldError] {
        Self.validateSpec(object["spec"] ?? [:], FieldPath("spec"))
    }

    /// As create, plus apps/v1's immutable selector.
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        Self.validateSpec(object["spec"] ?? [:], FieldPath("spec"))
            + FieldValidation.immutable(object[path: "spec", "selector"], old[path: "spec", "selector"], FieldPath("spec.selector"))
    }

    /// ValidateDeploymentSpec.
    static func validateSpec(_ spec: JSON, _ path: FieldPath) -> [FieldError] {
        var errs = FieldValidation.nonnegative(spec["replicas"], path.child("replicas"))
        errs += ReplicaSetTemplateValidation.validateSelector(spec["selector"], path.child("selector"))
        errs += ReplicaSetTemplateValidation.validateTemplate(spec["template"], selector: spec["selector"], path.child("template"))
        errs += validateStrategy(spec["strategy"] ?? [:], path.child("strategy"))
        errs += FieldValidation.nonnegative(spec["minReadySeconds"], path.child("minReadySeconds"))
        if let limit = spec["revisionHistoryLimit"], limit != .null {
            errs += FieldValidation.nonnegative(limit, path.child("revisionHistoryLimit"))
        }
        if let deadline = spec["progressDeadlineSeconds"], deadline != .null {
            errs += FieldValidation.nonnegative(deadline, path.child("progressDeadlineSeconds"))
            if (deadline.intValue ?? 0) <= (spec["minReadySeconds"]?.intValue ?? 0) {
                errs.append(.invalid(path.child("progressDeadlineSeconds"), deadline, "must be greater than minReadySeconds"))
            }
        }
        return errs
    }

    /// ValidateDeploymentStrategy and ValidateRollingUpdateDeployment.
    static func validateStrategy(_ strategy: JSON, _ path: FieldPath) -> [FieldError] {
        let rollingUpdate = strategy["rollingUpdate"]
        let hasRollingUpdate = rollingUpdate != nil && rollingUpdate != .null
        switch strategy.string("type") {
        case "Recreate":
            return hasRollingUpdate
                ? [.forbidden(path.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")] : []
        case "RollingUpdate":
            guard hasRollingUpdate, let ru = rollingUpdate else {
                return [.required(path.child("rollingUpdate"), "this should be defaulted and never be nil")]
            }
            let unavailablePath = path.child("rollingUpdate").child("maxUnavailable")
            let maxUnavailable = ru["maxUnavailable"] ?? .int(0)
            let maxSurge = ru["maxSurge"] ?? .int(0)
            var errs = IntOrPercent.validatePositive(maxUnavailable, unavailablePath)
            errs += IntOrPercent.validatePositive(maxSurge, path.child("rollingUpdate").child("maxSurge"))
            if IntOrPercent.value(maxUnavailable)?.0 ?? 0 == 0 && IntOrPercent.value(maxSurge)?.0 ?? 0 == 0 {
                errs.append(.invalid(unavailablePath, maxUnavailable, "may not be 0 when `maxSurge` is 0"))
            }
            if let (n, isPercent) = IntOrPercent.value(maxUnavailable), isPercent, n > 100 {
                errs.append(.invalid(unavailablePath, maxUnavailable, "must not be greater than 100%"))
            }
            return errs
        default:
            return [.notSupported(path, strategy["type"] ?? "", ["Recreate", "RollingUpdate"])]
        }
    }

}
