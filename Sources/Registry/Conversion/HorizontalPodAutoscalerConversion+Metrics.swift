import APIMachinery

/// The metric shapes autoscaling/v1 keeps in its round-trip annotations: v1's MetricSpec and
/// MetricStatus (the v2beta1 layout: `targetAverageValue`, `currentAverageUtilization`...), converted
/// to and from v2's `target`/`current` MetricTarget and MetricValueStatus as upstream's
/// Convert_autoscaling_*_To_v1_* and Convert_v1_*_To_autoscaling_* functions do. v1's non-pointer
/// quantities are written as Go writes a zero Quantity ("0") when v2 has none.
extension HorizontalPodAutoscalerConversion {
    static let zeroQuantity: JSON = "0"

    static func metricSpecToV1(_ metric: JSON) -> JSON {
        let type = metric["type"]?.stringValue ?? ""
        var out: JSONObject = ["type": .string(type)]
        switch type {
        case "Object":
            let source = metric["object"] ?? [:]
            var object: JSONObject = ["target": source["describedObject"] ?? .object([:]),
                                      "metricName": source[path: "metric", "name"] ?? "",
                                      "targetValue": nonNull(source[path: "target", "value"]) ?? zeroQuantity]
            object["selector"] = nonNull(source[path: "metric", "selector"])
            object["averageValue"] = nonNull(source[path: "target", "averageValue"])
            out["object"] = .object(object)
        case "Pods":
            let source = metric["pods"] ?? [:]
            var pods: JSONObject = ["metricName": source[path: "metric", "name"] ?? "",
                                    "targetAverageValue": nonNull(source[path: "target", "averageValue"]) ?? zeroQuantity]
            pods["selector"] = nonNull(source[path: "metric", "selector"])
            out["pods"] = .object(pods)
        case "Resource", "ContainerResource":
            let key = type == "Resource" ? "resource" : "containerResource"
            let source = metric[key] ?? [:]
            var resource: JSONObject = ["name": source["name"] ?? ""]
            resource["targetAverageUtilization"] = nonNull(source[path: "target", "averageUtilization"])
            resource["targetAverageValue"] = nonNull(source[path: "target", "averageValue"])
            if type == "ContainerResource" { resource["container"] = source["container"] ?? "" }
            out[key] = .object(resource)
        case "External":
            let source = metric["external"] ?? [:]
            var external: JSONObject = ["metricName": source[path: "metric", "name"] ?? ""]
            external["metricSelector"] = nonNull(source[path: "metric", "selector"])
            external["targetValue"] = nonNull(source[path: "target", "value"])
            external["targetAverageValue"] = nonNull(source[path: "target", "averageValue"])
            out["external"] = .object(external)
        default:
            break
        }
        return .object(out)
    }

    static func metricSpecToV2(_ metric: JSON) -> JSON {
        let type = metric["type"]?.stringValue ?? ""
        var out: JSONObject = ["type": .string(type)]
        switch type {
        case "Object":
            let source = metric["object"] ?? [:]
            let average = nonNull(source["averageValue"])
            out["object"] = ["describedObject": source["target"] ?? .object([:]),
                             "metric": identifier(source["metricName"], source["selector"]),
                             "target": target(average == nil ? "Value" : "AverageValue",
                                              ["value": source["targetValue"] ?? zeroQuantity, "averageValue": average])]
        case "Pods":
            let source = metric["pods"] ?? [:]
            out["pods"] = ["metric": identifier(source["metricName"], source["selector"]),
                           "target": target("AverageValue", ["averageValue": source["targetAverageValue"] ?? zeroQuantity])]
        case "Resource", "ContainerResource":
            let key = type == "Resource" ? "resource" : "containerResource"
            let source = metric[key] ?? [:]
            let utilization = nonNull(source["targetAverageUtilization"])
            var resource: JSONObject = ["name": source["name"] ?? ""]
            if type == "ContainerResource" { resource["container"] = source["container"] ?? "" }
            resource["target"] = target(utilization == nil ? "AverageValue" : "Utilization",
                                        ["averageUtilization": utilization, "averageValue": nonNull(source["targetAverageValue"])])
            out[key] = .object(resource)
        case "External":
            let source = metric["external"] ?? [:]
            let value = nonNull(source["targetValue"])
            out["external"] = ["metric": identifier(source["metricName"], source["metricSelector"]),
                               "target": target(value == nil ? "AverageValue" : "Value",
                                                ["value": value, "averageValue": nonNull(source["targetAverageValue"])])]
        default:
            break
        }
        return .object(out)
    }

    static func metricStatusToV1(_ metric: JSON) -> JSON {
        let type = metric["type"]?.stringValue ?? ""
        var out: JSONObject = ["type": .string(type)]
        switch type {
        case "Object":
            let source = metric["object"] ?? [:]
            var object: JSONObject = ["target": source["describedObject"] ?? .object([:]),
                                      "metricName": source[path: "metric", "name"] ?? "",
                                      "currentValue": nonNull(source[path: "current", "value"]) ?? zeroQuantity]
            object["selector"] = nonNull(source[path: "metric", "selector"])
            object["averageValue"] = nonNull(source[path: "current", "averageValue"])
            out["object"] = .object(object)
        case "Pods":
            let source = metric["pods"] ?? [:]
            var pods: JSONObject = ["metricName": source[path: "metric", "name"] ?? "",
                                    "currentAverageValue": nonNull(source[path: "current", "averageValue"]) ?? zeroQuantity]
            pods["selector"] = nonNull(source[path: "metric", "selector"])
            out["pods"] = .object(pods)
        case "Resource", "ContainerResource":
            let key = type == "Resource" ? "resource" : "containerResource"
            let source = metric[key] ?? [:]
            var resource: JSONObject = ["name": source["name"] ?? ""]
            resource["currentAverageUtilization"] = nonNull(source[path: "current", "averageUtilization"])
            resource["currentAverageValue"] = nonNull(source[path: "current", "averageValue"]) ?? zeroQuantity
            if type == "ContainerResource" { resource["container"] = source["container"] ?? "" }
            out[key] = .object(resource)
        case "External":
            let source = metric["external"] ?? [:]
            var external: JSONObject = ["metricName": source[path: "metric", "name"] ?? ""]
            external["metricSelector"] = nonNull(source[path: "metric", "selector"])
            external["currentValue"] = nonNull(source[path: "current", "value"]) ?? zeroQuantity
            external["currentAverageValue"] = nonNull(source[path: "current", "averageValue"])
            out["external"] = .object(external)
        default:
            break
        }
        return .object(out)
    }

    static func metricStatusToV2(_ metric: JSON) -> JSON {
        let type = metric["type"]?.stringValue ?? ""
        var out: JSONObject = ["type": .string(type)]
        switch type {
        case "Object":
            let source = metric["object"] ?? [:]
            out["object"] = ["describedObject": source["target"] ?? .object([:]),
                             "metric": identifier(source["metricName"], source["selector"]),
                             "current": values(["value": source["currentValue"] ?? zeroQuantity, "averageValue": nonNull(source["averageValue"])])]
        case "Pods":
            let source = metric["pods"] ?? [:]
            out["pods"] = ["metric": identifier(source["metricName"], source["selector"]),
                           "current": values(["averageValue": source["currentAverageValue"] ?? zeroQuantity])]
        case "Resource", "ContainerResource":
            let key = type == "Resource" ? "resource" : "containerResource"
            let source = metric[key] ?? [:]
            var resource: JSONObject = ["name": source["name"] ?? ""]
            if type == "ContainerResource" { resource["container"] = source["container"] ?? "" }
            resource["current"] = values(["averageValue": source["currentAverageValue"] ?? zeroQuantity,
                                          "averageUtilization": nonNull(source["currentAverageUtilization"])])
            out[key] = .object(resource)
        case "External":
            let source = metric["external"] ?? [:]
            out["external"] = ["metric": identifier(source["metricName"], source["metricSelector"]),
                               "current": values(["value": source["currentValue"] ?? zeroQuantity,
                                                  "averageValue": nonNull(source["currentAverageValue"])])]
        default:
            break
        }
        return .object(out)
    }

    /// Upstream marshals the internal behavior type, which has no JSON tags: Go's field names.
    static func behaviorToGoFields(_ behavior: JSON) -> JSON {
        func rules(_ rules: JSON?) -> JSON {
            guard let rules, rules != .null else { return .null }
            let policies = (rules["policies"]?.arrayValue ?? []).map { policy -> JSON in
                ["Type": policy["type"] ?? "", "Value": policy["value"] ?? 0, "PeriodSeconds": policy["periodSeconds"] ?? 0]
            }
            return ["StabilizationWindowSeconds": rules["stabilizationWindowSeconds"] ?? .null,
                    "SelectPolicy": rules["selectPolicy"] ?? .null,
                    "Policies": policies.isEmpty ? .null : .array(policies)]
        }
        return ["ScaleUp": rules(behavior["scaleUp"]), "ScaleDown": rules(behavior["scaleDown"])]
    }

    static func behaviorFromGoFields(_ behavior: JSON) -> JSON {
        func rules(_ rules: JSON?) -> JSON? {
            guard let rules, rules != .null else { return nil }
            var out: JSONObject = [:]
            out["stabilizationWindowSeconds"] = nonNull(rules["StabilizationWindowSeconds"])
            out["selectPolicy"] = nonNull(rules["SelectPolicy"])
            if let policies = rules["Policies"]?.arrayValue {
                out["policies"] = .array(policies.map { ["type": $0["Type"] ?? "", "value": $0["Value"] ?? 0, "periodSeconds": $0["PeriodSeconds"] ?? 0] })
            }
            return .object(out)
        }
        var out: JSONObject = [:]
        out["scaleUp"] = rules(behavior["ScaleUp"])
        out["scaleDown"] = rules(behavior["ScaleDown"])
        return .object(out)
    }

    private static func nonNull(_ value: JSON?) -> JSON? {
        guard let value, value != .null else { return nil }
        return value
    }

    private static func identifier(_ name: JSON?, _ selector: JSON?) -> JSON {
        var out: JSONObject = ["name": name ?? ""]
        out["selector"] = nonNull(selector)
        return .object(out)
    }

    private static func target(_ type: String, _ fields: [String: JSON?]) -> JSON {
        var out: JSONObject = ["type": .string(type)]
        for key in ["value", "averageValue", "averageUtilization"] { if let value = fields[key] ?? nil { out[key] = value } }
        return .object(out)
    }

    private static func values(_ fields: [String: JSON?]) -> JSON {
        var out: JSONObject = [:]
        for key in ["value", "averageValue", "averageUtilization"] { if let value = fields[key] ?? nil { out[key] = value } }
        return .object(out)
    }
}
