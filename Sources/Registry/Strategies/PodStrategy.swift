import APIMachinery

/// Pods (pkg/registry/core/pod/strategy.go, core/v1 defaults, ValidatePodCreate/ValidatePodUpdate).
public struct PodStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.pods }

    static let immutableSpecMsg = "pod updates may not change fields other than `spec.containers[*].image`,"
        + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
        + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"

    public func applyDefaults(_ object: inout JSON) {
        object.modifyPath("spec") { PodSpecDefaults.apply(&$0, isPod: true) }
    }

    /// The default admission plugins' mutations, which run before the strategy as upstream's
    /// mutating admission does; the ServiceAccount plugin reads the pod's account, the Priority plugin the PriorityClasses.
    public func admit(_ object: inout JSON, cluster: ClusterLookup) throws(APIError) {
        let account = PodView(object).serviceAccountName.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        try PodLimitRangeAdmission.admit(&object, ranges: cluster.limitRanges(namespace: object.meta.namespace).map(\.object))
        try PodPriorityAdmission.admit(&object, classes: cluster.priorityClasses())
        PodAdmission.admit(&object, account: cluster.serviceAccount(namespace: object.meta.namespace, name: account))
    }

    /// Sets the initial status: Pending with the QoS class, and PodScheduled=False while scheduling
    /// gates remain.
    public func prepareForCreate(_ object: inout JSON) {
        let spec = object["spec"] ?? [:]
        var status: JSON = ["phase": "Pending", "qosClass": .string(PodQOS.qosClass(spec))]
        if !spec.array("schedulingGates").isEmpty {
            status["conditions"] = [[
                "type": "PodScheduled", "status": "False", "lastProbeTime": nil, "lastTransitionTime": nil,
                "reason": "SchedulingGated", "message": "Scheduling is blocked due to non-empty scheduling gates",
            ]]
        }
        object["status"] = status
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        var errs = PodSpecValidation.validate(spec, FieldPath("spec"))
        if !spec.array("ephemeralContainers").isEmpty {
            errs.append(.forbidden(FieldPath("spec.ephemeralContainers"), "cannot be set on create"))
        }
        if !spec.string("nodeName").isEmpty && !spec.array("schedulingGates").isEmpty {
            errs.append(.forbidden(FieldPath("spec.nodeName"), "cannot be set until all schedulingGates have been cleared"))
        }
        return errs
    }

    /// Upstream's ValidatePodStatusUpdate checks metadata (the store does) and the status, never the
    /// spec: a status write keeps the stored spec, which was valid when stored, so validating it again
    /// (the whole of PodSpecValidation, on every kubelet write) could only repeat the same answer.
    public func validateStatusUpdate(_ object: JSON, old: JSON) -> [FieldError] { [] }

    /// Only container images, activeDeadlineSeconds, added tolerations and a negative grace
    /// period (to 1) may change; everything else in the spec is fixed once the pod exists.
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        let oldSpec = old["spec"] ?? [:]
        var errs = PodSpecValidation.validate(spec, FieldPath("spec"))
        // A spec equal to the old one (a metadata or status write: the same storage, compared at
        // once) passes the immutability check without building the munged copy.
        if spec != oldSpec {
            var munged = spec
            for key in ["containers", "initContainers"] {
                let oldContainers = oldSpec.array(key)
                guard case .array(var containers)? = munged[key], containers.count == oldContainers.count else { continue }
                for i in containers.indices { containers[i]["image"] = oldContainers[i]["image"] }
                munged[key] = .array(containers)
            }
            munged["activeDeadlineSeconds"] = oldSpec["activeDeadlineSeconds"]
            let oldTolerations = oldSpec.array("tolerations")
            let newTolerations = spec.array("tolerations")
            if newTolerations.count >= oldTolerations.count, Array(newTolerations.prefix(oldTolerations.count)) == oldTolerations {
                munged["tolerations"] = oldSpec["tolerations"]
            }
            if let oldGrace = oldSpec["terminationGracePeriodSeconds"]?.intValue, oldGrace < 0,
               spec["terminationGracePeriodSeconds"]?.intValue == 1 {
                munged["terminationGracePeriodSeconds"] = oldSpec["terminationGracePeriodSeconds"]
            }
            if !PersistentVolumeClaimValidation.semanticallyEqual(munged, oldSpec) {
                errs.append(.forbidden(FieldPath("spec"), Self.immutableSpecMsg))
            }
        }
        if let deadline = oldSpec["activeDeadlineSeconds"]?.intValue {
            if let newDeadline = spec["activeDeadlineSeconds"]?.intValue {
                if newDeadline > deadline {
                    errs.append(.invalid(FieldPath("spec.activeDeadlineSeconds"), spec["activeDeadlineSeconds"],
                                         "must be less than or equal to previous value"))
                }
            } else {
                errs.append(.invalid(FieldPath("spec.activeDeadlineSeconds"), JSON.null, "must not update from a positive integer to nil value"))
            }
        }
        return errs
    }
}
