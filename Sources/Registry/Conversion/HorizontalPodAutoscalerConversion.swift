import APIMachinery

/// autoscaling/v1 HorizontalPodAutoscalers are the autoscaling/v2 objects (the storage version)
/// seen through v1's single CPU target, as pkg/apis/autoscaling/v1/conversion.go converts them:
/// `targetCPUUtilizationPercentage` ↔ a Resource `cpu` metric with an Utilization target, and what
/// v1 cannot say (other metrics, their status, conditions, behavior) kept in the round-trip
/// annotations, so a v1 client that writes the object back loses none of it.
public struct HorizontalPodAutoscalerConversion: VersionConversion {
    public init() {}
    public var storageResource: APIResource { ResourceCatalog.horizontalPodAutoscalers }

    static let metricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics"
    static let currentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics"
    static let conditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions"
    static let behaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior"
    static let roundTripAnnotations = [metricsAnnotation, currentMetricsAnnotation, conditionsAnnotation, behaviorAnnotation]

    // MARK: v1 → v2 (storage)

    public func toStorage(_ object: JSON) -> JSON {
        var hpa = object
        hpa["apiVersion"] = .string(storageResource.apiVersion)
        let annotations = object[path: "metadata", "annotations"]?.objectValue ?? [:]
        let v1Spec = object["spec"] ?? .object([:])
        var spec: JSONObject = [:]
        if let ref = v1Spec["scaleTargetRef"] { spec["scaleTargetRef"] = ref }
        if let min = v1Spec["minReplicas"], min != .null { spec["minReplicas"] = min }
        spec["maxReplicas"] = v1Spec["maxReplicas"] ?? 0
        var metrics: [JSON] = []
        if let percent = v1Spec["targetCPUUtilizationPercentage"]?.intValue {
            metrics = [Self.cpuUtilization(target: percent)]
        }
        if let encoded = annotations[Self.metricsAnnotation]?.stringValue, let other = (try? JSONParser.parse(encoded))?.value.arrayValue {
            metrics = other.map(Self.metricSpecToV2) + metrics
        }
        // autoscaling/v1 once defaulted CPU in the controller; the conversion applies it explicitly.
        if metrics.isEmpty { metrics = [Self.cpuUtilization(target: 80)] }
        spec["metrics"] = .array(metrics)
        if let encoded = annotations[Self.behaviorAnnotation]?.stringValue, let behavior = (try? JSONParser.parse(encoded))?.value,
           behavior != .null {
            spec["behavior"] = Self.behaviorFromGoFields(behavior)
        }
        hpa["spec"] = .object(spec)

        let v1Status = object["status"] ?? .object([:])
        var status: JSONObject = [:]
        for key in ["observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas"] {
            if let value = v1Status[key], value != .null { status[key] = value }
        }
        // v2's currentReplicas is omitempty: a zero count is not written.
        if status["currentReplicas"]?.intValue == 0 { status["currentReplicas"] = nil }
        status.setDefault("desiredReplicas", 0)
        var current: [JSON] = []
        if let percent = v1Status["currentCPUUtilizationPercentage"]?.intValue {
            current = [["type": "Resource", "resource": ["name": "cpu", "current": ["averageUtilization": .int(percent)]]]]
        }
        // The annotation, when there, holds every current metric (the CPU one too, with its raw value).
        if let encoded = annotations[Self.currentMetricsAnnotation]?.stringValue, let all = (try? JSONParser.parse(encoded))?.value.arrayValue {
            current = all.map(Self.metricStatusToV2)
        }
        status["currentMetrics"] = current.isEmpty ? .null : .array(current)
        if let encoded = annotations[Self.conditionsAnnotation]?.stringValue, let conditions = (try? JSONParser.parse(encoded))?.value,
           case .array(let list) = conditions, !list.isEmpty {
            status["conditions"] = conditions
        }
        hpa["status"] = .object(status)
        Self.dropRoundTripAnnotations(&hpa)
        HorizontalPodAutoscalerStrategy().applyDefaults(&hpa)
        return hpa
    }

    static func cpuUtilization(target: Int64) -> JSON {
        ["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": .int(target)]]]
    }

    // MARK: v2 (storage) → v1

    public func fromStorage(_ object: JSON) -> JSON {
        var hpa = object
        hpa["apiVersion"] = .string(ResourceCatalog.horizontalPodAutoscalersV1.apiVersion)
        Self.dropRoundTripAnnotations(&hpa)
        let v2Spec = object["spec"] ?? .object([:])
        var spec: JSONObject = [:]
        if let ref = v2Spec["scaleTargetRef"] { spec["scaleTargetRef"] = ref }
        if let min = v2Spec["minReplicas"], min != .null { spec["minReplicas"] = min }
        spec["maxReplicas"] = v2Spec["maxReplicas"] ?? 0
        var others: [JSON] = []
        for metric in v2Spec["metrics"]?.arrayValue ?? [] {
            if Self.isCPUUtilization(metric), let percent = metric[path: "resource", "target", "averageUtilization"]?.intValue {
                if spec["targetCPUUtilizationPercentage"] == nil { spec["targetCPUUtilizationPercentage"] = .int(percent) }
                continue
            }
            others.append(Self.metricSpecToV1(metric))
        }
        hpa["spec"] = .object(spec)

        let v2Status = object["status"] ?? .object([:])
        var status: JSONObject = [:]
        for key in ["observedGeneration", "lastScaleTime"] {
            if let value = v2Status[key], value != .null { status[key] = value }
        }
        status["currentReplicas"] = v2Status["currentReplicas"] ?? 0
        status["desiredReplicas"] = v2Status["desiredReplicas"] ?? 0
        let current = v2Status["currentMetrics"]?.arrayValue ?? []
        for metric in current where metric["type"]?.stringValue == "Resource" && metric[path: "resource", "name"]?.stringValue == "cpu" {
            if let percent = metric[path: "resource", "current", "averageUtilization"]?.intValue {
                status["currentCPUUtilizationPercentage"] = .int(percent)
            }
        }
        hpa["status"] = .object(status)

        var annotations: JSONObject = [:]
        if !others.isEmpty { annotations[Self.metricsAnnotation] = .string(JSONWriter.encodeString(.array(others))) }
        if !current.isEmpty {
            annotations[Self.currentMetricsAnnotation] = .string(JSONWriter.encodeString(.array(current.map(Self.metricStatusToV1))))
        }
        if let behavior = v2Spec["behavior"], behavior != .null {
            annotations[Self.behaviorAnnotation] = .string(JSONWriter.encodeString(Self.behaviorToGoFields(behavior)))
        }
        if let conditions = v2Status["conditions"]?.arrayValue, !conditions.isEmpty {
            annotations[Self.conditionsAnnotation] = .string(JSONWriter.encodeString(.array(conditions.map(Self.conditionToV1))))
        }
        if !annotations.isEmpty {
            var all = hpa[path: "metadata", "annotations"]?.objectValue ?? [:]
            for (key, value) in annotations { all[key] = value }
            hpa[path: "metadata", "annotations"] = .object(all)
        }
        return hpa
    }

    static func isCPUUtilization(_ metric: JSON) -> Bool {
        metric["type"]?.stringValue == "Resource" && metric[path: "resource", "name"]?.stringValue == "cpu"
            && metric[path: "resource", "target", "averageUtilization"] != nil
            && metric[path: "resource", "target", "averageUtilization"] != .null
    }

    /// DropRoundTripHorizontalPodAutoscalerAnnotations; an emptied map is dropped as Go omits it.
    static func dropRoundTripAnnotations(_ object: inout JSON) {
        guard var annotations = object[path: "metadata", "annotations"]?.objectValue else { return }
        for key in roundTripAnnotations { annotations[key] = nil }
        object[path: "metadata", "annotations"] = annotations.isEmpty ? nil : .object(annotations)
    }

    /// A v1 condition has the v2 fields; Go writes lastTransitionTime always.
    static func conditionToV1(_ condition: JSON) -> JSON {
        var out: JSONObject = ["type": condition["type"] ?? "", "status": condition["status"] ?? ""]
        out["lastTransitionTime"] = condition["lastTransitionTime"] ?? .null
        for key in ["reason", "message"] where !(condition[key]?.stringValue ?? "").isEmpty { out[key] = condition[key] }
        return .object(out)
    }
}

extension JSONObject {
    fileprivate mutating func setDefault(_ key: String, _ value: JSON) {
        if self[key] == nil || self[key] == .null { self[key] = value }
    }
}
