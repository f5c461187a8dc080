import APIMachinery

/// core/v1 LimitRanges (ValidateLimitRange, SetDefaults_LimitRangeItem): one item per type, a
/// Pod item without defaults, min ≤ default request ≤ default ≤ max for each resource. A Container
/// item's default limit comes from its max, its default request from its default or min.
public struct LimitRangeStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.limitRanges }

    public func applyDefaults(_ object: inout JSON) {
        object.setDefault("spec", .object([:]))
        object.modifyPath("spec") { spec in
            guard var limits = spec["limits"]?.arrayValue else { return }
            for i in limits.indices where limits[i]["type"]?.stringValue == "Container" {
                var defaults = limits[i]["default"]?.objectValue ?? [:]
                var requests = limits[i]["defaultRequest"]?.objectValue ?? [:]
                for (name, value) in limits[i]["max"]?.objectValue ?? [:] where defaults[name] == nil { defaults[name] = value }
                for (name, value) in defaults where requests[name] == nil { requests[name] = value }
                for (name, value) in limits[i]["min"]?.objectValue ?? [:] where requests[name] == nil { requests[name] = value }
                if !defaults.isEmpty { limits[i]["default"] = .object(defaults) }
                if !requests.isEmpty { limits[i]["defaultRequest"] = .object(requests) }
            }
            spec["limits"] = .array(limits)
        }
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let path = FieldPath("spec.limits")
        var errs: [FieldError] = []
        var types: Set<String> = []
        for (i, item) in (object[path: "spec", "limits"]?.arrayValue ?? []).enumerated() {
            let itemPath = path.index(i)
            let type = item["type"]?.stringValue ?? ""
            errs += FieldValidation.qualifiedName(type, itemPath.child("type"))
            if !types.insert(type).inserted { errs.append(.duplicate(itemPath.child("type"), item["type"])) }
            var lists: [String: [String: Quantity]] = [:]
            for list in ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] {
                for (name, value) in item[list]?.objectValue ?? [:] {
                    let entryPath = itemPath.child(list).key(name)
                    errs += ResourceRequirementsValidation.validateResourceName(name, entryPath)
                    if let quantity = FieldValidation.quantity(value, entryPath, errors: &errs) { lists[list, default: [:]][name] = quantity }
                }
            }
            if type == "Pod" {
                for list in ["default", "defaultRequest"] where !(item[list]?.objectValue ?? [:]).isEmpty {
                    errs.append(.forbidden(itemPath.child(list), "may not be specified when `type` is 'Pod'"))
                }
            }
            if type == "PersistentVolumeClaim", lists["min"]?["storage"] == nil, lists["max"]?["storage"] == nil {
                errs.append(.required(itemPath.child("limits"), "either minimum or maximum storage value is required, but neither was provided"))
            }
            errs += Self.ordering(lists, itemPath)
        }
        return errs
    }

    /// min ≤ defaultRequest ≤ default ≤ max and a ratio of at least 1, resource by resource.
    static func ordering(_ lists: [String: [String: Quantity]], _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        let names = Set(lists.values.flatMap(\.keys)).sorted()
        for name in names {
            let min = lists["min"]?[name], max = lists["max"]?[name]
            let limit = lists["default"]?[name], request = lists["defaultRequest"]?[name]
            func invalid(_ list: String, _ value: Quantity, _ message: String) {
                errs.append(.invalid(path.child(list).key(name), .string(value.canonical), message))
            }
            if let min, let max, min > max { invalid("min", min, "min value \(min.canonical) is greater than max value \(max.canonical)") }
            if let request, let min, min > request {
                invalid("defaultRequest", request, "min value \(min.canonical) is greater than default request value \(request.canonical)")
            }
            if let request, let max, request > max {
                invalid("defaultRequest", request, "default request value \(request.canonical) is greater than max value \(max.canonical)")
            }
            if let request, let limit, request > limit {
                invalid("defaultRequest", request, "default request value \(request.canonical) is greater than default limit value \(limit.canonical)")
            }
            if let limit, let min, min > limit { invalid("default", min, "min value \(min.canonical) is greater than default value \(limit.canonical)") }
            if let limit, let max, limit > max { invalid("default", max, "default value \(limit.canonical) is greater than max value \(max.canonical)") }
            if let ratio = lists["maxLimitRequestRatio"]?[name], ratio < Quantity(1) {
                invalid("maxLimitRequestRatio", ratio, "ratio \(ratio.canonical) is less than 1")
            }
        }
        return errs
    }
}
