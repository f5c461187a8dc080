import APIMachinery

/// StatefulSets (pkg/registry/apps/statefulset/strategy.go, apps/v1 SetDefaults_StatefulSet,
/// ValidateStatefulSet / ValidateStatefulSetUpdate).
///
/// As upstream, the pod template's spec is defaulted but not validated here (upstream leaves
/// that to pod creation by the controller); only its labels, annotations, restart policy and
/// activeDeadlineSeconds are checked.
public struct StatefulSetStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.statefulSets }
    public var tracksGeneration: Bool { true }

    static let immutableSpecMsg = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        + "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    /// Spec members an update may change.
    static let mutableSpecFields = ["replicas", "ordinals", "template", "updateStrategy",
                                    "persistentVolumeClaimRetentionPolicy", "minReadySeconds"]

    public func applyDefaults(_ object: inout JSON) {
        object.modifyPath("spec") { spec in
            spec.setDefaultString("podManagementPolicy", "OrderedReady")
            spec.modifyPath("updateStrategy") { strategy in
                if strategy.string("type").isEmpty {
                    strategy["type"] = "RollingUpdate"
                    strategy.setDefault("rollingUpdate", .object([:]))
                }
                if strategy.string("type") == "RollingUpdate" {
                    strategy.modifyObject("rollingUpdate") { $0.setDefault("partition", 0) }
                }
            }
            spec.modifyPath("persistentVolumeClaimRetentionPolicy") { policy in
                policy.setDefaultString("whenDeleted", "Retain")
                policy.setDefaultString("whenScaled", "Retain")
            }
            spec.setDefault("replicas", 1)
            spec.setDefault("revisionHistoryLimit", 10)
            spec.modifyPath("template") { PodTemplateDefaults.apply(&$0) }
            spec.modifyEach("volumeClaimTemplates") { Self.defaultClaimTemplate(&$0) }
        }
    }

    /// Claim templates read back as full PersistentVolumeClaims: upstream's conversion stamps
    /// apiVersion and kind on them, and the claim defaults (volumeMode, status.phase) apply.
    static func defaultClaimTemplate(_ claim: inout JSON) {
        guard case .object(let members) = claim else { return }
        var ordered: JSONObject = ["apiVersion": "v1", "kind": "PersistentVolumeClaim"]
        for (k, v) in members where k != "apiVersion" && k != "kind" { ordered[k] = v }
        claim = .object(ordered)
        claim.modifyPath("metadata") { $0.setDefault("creationTimestamp", .null) }
        PersistentVolumeClaimDefaults.apply(&claim)
    }

    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = ["replicas": 0, "availableReplicas": 0]
    }

    public func validate(_ object: JSON) -> [FieldError] {
        validateSpec(object["spec"] ?? [:], FieldPath("spec"))
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        var errs = validateSpec(object["spec"] ?? [:], FieldPath("spec"))
        var newSpec = object["spec"] ?? [:]
        let oldSpec = old["spec"] ?? [:]
        for key in Self.mutableSpecFields { newSpec[key] = oldSpec[key] }
        if !PersistentVolumeClaimValidation.semanticallyEqual(newSpec, oldSpec) {
            errs.append(.forbidden(FieldPath("spec"), Self.immutableSpecMsg))
        }
        return errs
    }

    /// Upstream ValidateStatefulSetSpec.
    func validateSpec(_ spec: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        let policy = spec.string("podManagementPolicy")
        switch policy {
        case "": errs.append(.required(path.child("podManagementPolicy"), ""))
        case "OrderedReady", "Parallel": break
        default: errs.append(.invalid(path.child("podManagementPolicy"), policy, "must be 'OrderedReady' or 'Parallel'"))
        }
        errs += validateUpdateStrategy(spec["updateStrategy"] ?? [:], path.child("updateStrategy"))
        if let retention = spec["persistentVolumeClaimRetentionPolicy"], retention.objectValue != nil {
            for key in ["whenDeleted", "whenScaled"] {
                let value = retention[key] ?? ""
                if !["Retain", "Delete"].contains(value.stringValue ?? "") {
                    errs.append(.notSupported(path.child("persistentVolumeClaimRetentionPolicy").child(key), value, ["Retain", "Delete"]))
                }
            }
        }
        errs += FieldValidation.nonnegative(spec["replicas"], path.child("replicas"))
        errs += FieldValidation.nonnegative(spec["minReadySeconds"], path.child("minReadySeconds"))
        if let ordinals = spec["ordinals"], ordinals.objectValue != nil {
            errs += FieldValidation.nonnegative(ordinals["start"], path.child("ordinals.start"))
        }
        let selectorJSON = spec["selector"]
        if selectorJSON == nil || selectorJSON == .null {
            errs.append(.required(path.child("selector"), ""))
        } else {
            errs += LabelSelector.validate(selectorJSON, path: path.child("selector"))
            let matchLabels = selectorJSON?["matchLabels"]?.objectValue ?? [:]
            let matchExpressions = selectorJSON?["matchExpressions"]?.arrayValue ?? []
            if matchLabels.isEmpty && matchExpressions.isEmpty {
                errs.append(.invalid(path.child("selector"), selectorJSON, "empty selector is invalid for statefulset"))
            }
        }
        let template = spec["template"] ?? [:]
        let templatePath = path.child("template")
        let selector = LabelSelector(json: selectorJSON)
        if !selector.isEmpty && !selector.matchesNothing {
            let labels = Dictionary(template[path: "metadata"]?.stringMap("labels") ?? [], uniquingKeysWith: { a, _ in a })
            if !selector.matches(labels) {
                errs.append(FieldError(.invalid, templatePath.child("metadata").child("labels"),
                                       value: FieldValidation.goStringMap(template[path: "metadata", "labels"]),
                                       "`selector` does not match template `labels`"))
            }
        }
        errs += ObjectMetaValidation.validateLabels(template[path: "metadata", "labels"], path: templatePath.child("labels"))
        errs += ObjectMetaValidation.validateAnnotations(template[path: "metadata", "annotations"], path: templatePath.child("annotations"))
        let restartPolicy = template[path: "spec", "restartPolicy"] ?? ""
        if restartPolicy.stringValue != "Always" {
            errs.append(.notSupported(templatePath.child("spec").child("restartPolicy"), restartPolicy, ["Always"]))
        }
        if let deadline = template[path: "spec", "activeDeadlineSeconds"], deadline != .null {
            errs.append(.forbidden(templatePath.child("spec").child("activeDeadlineSeconds"),
                                   "activeDeadlineSeconds in StatefulSet is not Supported"))
        }
        return errs
    }

    func validateUpdateStrategy(_ strategy: JSON, _ path: FieldPath) -> [FieldError] {
        let rollingUpdate = strategy["rollingUpdate"]
        let hasRollingUpdate = rollingUpdate != nil && rollingUpdate != .null
        switch strategy.string("type") {
        case "":
            return [.required(path, "")]
        case "OnDelete":
            return hasRollingUpdate
                ? [.invalid(path.child("rollingUpdate"), rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")] : []
        case "RollingUpdate":
            guard hasRollingUpdate, let ru = rollingUpdate else { return [] }
            var errs = FieldValidation.nonnegative(ru["partition"], path.child("rollingUpdate").child("partition"))
            if let maxUnavailable = ru["maxUnavailable"], maxUnavailable != .null {
                errs += IntOrPercent.validateMaxUnavailable(maxUnavailable, path.child("rollingUpdate").child("maxUnavailable"))
            }
            return errs
        default:
            return [.invalid(path, strategy, "must be 'RollingUpdate' or 'OnDelete'")]
        }
    }
}
