import APIMachinery

/// autoscaling/v2 HorizontalPodAutoscalers (pkg/apis/autoscaling/validation and v2 defaults):
/// stored and validated; no controller scales on them yet (that waits for the metrics API).
public struct HorizontalPodAutoscalerStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.horizontalPodAutoscalers }

    static let metricTypes = ["ContainerResource", "External", "Object", "Pods", "Resource"]
    static let targetTypes = ["AverageValue", "Utilization", "Value"]
    static let defaultCPUUtilization = 80

    /// SetDefaults_HorizontalPodAutoscaler: one replica at least, CPU at 80% when no metric is
    /// given, and a given behavior completed with the default scaling rules.
    public func applyDefaults(_ object: inout JSON) {
        object.setDefault("spec", .object([:]))
        object.modifyPath("spec") { spec in
            spec.setDefault("minReplicas", 1)
            if spec.array("metrics").isEmpty {
                spec["metrics"] = [["type": "Resource", "resource": [
                    "name": "cpu", "target": ["type": "Utilization", "averageUtilization": .int(Int64(Self.defaultCPUUtilization))],
                ]]]
            }
            guard var behavior = spec["behavior"]?.objectValue else { return }
            behavior["scaleUp"] = Self.rules(behavior["scaleUp"], stabilization: 0, policies: [
                ["type": "Pods", "value": 4, "periodSeconds": 15], ["type": "Percent", "value": 100, "periodSeconds": 15],
            ])
            behavior["scaleDown"] = Self.rules(behavior["scaleDown"], stabilization: 300, policies: [
                ["type": "Percent", "value": 100, "periodSeconds": 15],
            ])
            spec["behavior"] = .object(behavior)
        }
    }

    /// GenerateHPAScale{Up,Down}Rules: the given rules' fields over the defaults.
    static func rules(_ given: JSON?, stabilization: Int64, policies: [JSON]) -> JSON {
        var rules: JSONObject = ["stabilizationWindowSeconds": .int(stabilization), "selectPolicy": "Max", "policies": .array(policies)]
        for (key, value) in given?.objectValue ?? [:] where value != .null { rules[key] = value }
        return .object(rules)
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        let path = FieldPath("spec")
        var errs = Self.validateReference(spec["scaleTargetRef"], path.child("scaleTargetRef"))
        let minReplicas = spec["minReplicas"]?.intValue ?? 1
        if minReplicas < 1 {
            errs.append(.invalid(path.child("minReplicas"), spec["minReplicas"], "must be greater than or equal to 1"))
        }
        let maxReplicas = spec["maxReplicas"]?.intValue ?? 0
        if maxReplicas < 1 {
            errs.append(.invalid(path.child("maxReplicas"), spec["maxReplicas"] ?? 0, "must be greater than 0"))
        }
        if maxReplicas < minReplicas {
            errs.append(.invalid(path.child("maxReplicas"), spec["maxReplicas"] ?? 0, "must be greater than or equal to `minReplicas`"))
        }
        for (i, metric) in spec.array("metrics").enumerated() {
            errs += Self.validateMetric(metric, path.child("metrics").index(i))
        }
        return errs
    }

    /// ValidateCrossVersionObjectReference.
    static func validateReference(_ reference: JSON?, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        for field in ["kind", "name"] {
            let value = reference?[field]?.stringValue ?? ""
            if value.isEmpty {
                errs.append(.required(path.child(field), ""))
            } else {
                for message in NameValidation.validatePathSegmentName(value, prefix: false) {
                    errs.append(.invalid(path.child(field), .string(value), message))
                }
            }
        }
        return errs
    }

    /// validateMetricSpec: a known type whose own source is set, and a target of a known kind that
    /// carries the value its kind names.
    static func validateMetric(_ metric: JSON, _ path: FieldPath) -> [FieldError] {
        let type = metric["type"]?.stringValue ?? ""
        guard metricTypes.contains(type) else {
            if type.isEmpty { return [.required(path.child("type"), "must specify a metric source type")] }
            return [.notSupported(path.child("type"), metric["type"], metricTypes)]
        }
        let key = type.prefix(1).lowercased() + type.dropFirst()
        guard let source = metric[key], source != .null else {
            return [.required(path.child(key), "must populate information for the given metric source")]
        }
        var errs: [FieldError] = []
        let sourcePath = path.child(key)
        if type == "Resource" || type == "ContainerResource" {
            if (source["name"]?.stringValue ?? "").isEmpty { errs.append(.required(sourcePath.child("name"), "must specify a resource name")) }
        }
        if type == "ContainerResource", (source["container"]?.stringValue ?? "").isEmpty {
            errs.append(.required(sourcePath.child("container"), "must specify a container"))
        }
        if type == "Pods" || type == "Object" || type == "External" {
            if (source[path: "metric", "name"]?.stringValue ?? "").isEmpty {
                errs.append(.required(sourcePath.child("metric").child("name"), "must specify a metric name"))
            }
        }
        if type == "Object" {
            errs += validateReference(source["describedObject"], sourcePath.child("describedObject"))
        }
        let target = source["target"] ?? [:]
        let targetPath = sourcePath.child("target")
        let targetType = target["type"]?.stringValue ?? ""
        if targetType.isEmpty {
            errs.append(.required(targetPath.child("type"), "must specify a metric target type"))
        } else if !targetTypes.contains(targetType) {
            errs.append(.notSupported(targetPath.child("type"), target["type"], targetTypes))
        }
        if let utilization = target["averageUtilization"]?.intValue, utilization < 1 {
            errs.append(.invalid(targetPath.child("averageUtilization"), target["averageUtilization"], "must be greater than 0"))
        }
        let needed: String? = switch targetType {
        case "Utilization": "averageUtilization"
        case "AverageValue": "averageValue"
        case "Value": "value"
        default: nil
        }
        if let needed, target[needed] == nil || target[needed] == .null {
            errs.append(.required(targetPath.child(needed), "must set either a target raw value or a target utilization"))
        }
        return errs
    }

    /// A new autoscaler has measured nothing: Go's zero status (`desiredReplicas` and
    /// `currentMetrics` are written even when empty).
    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = ["currentMetrics": nil, "desiredReplicas": 0]
    }
}
