import APIMachinery

/// events.k8s.io/v1 Events are core/v1 Events seen through another field layout (upstream stores one
/// resource; pkg/apis/events/v1/conversion.go maps note↔message, regarding↔involvedObject,
/// reportingController↔reportingComponent, deprecatedSource↔source, deprecatedFirstTimestamp,
/// deprecatedLastTimestamp and deprecatedCount↔firstTimestamp, lastTimestamp and count).
/// Members are written as Go's encoder writes each version's struct: times and embedded structs
/// always (null or {}), the rest only when set.
public struct EventConversion: VersionConversion {
    public init() {}
    public var storageResource: APIResource { ResourceCatalog.events }

    public func toStorage(_ object: JSON) -> JSON {
        var core: JSONObject = ["apiVersion": "v1", "kind": "Event"]
        core["metadata"] = object["metadata"] ?? .object([:])
        core["involvedObject"] = present(object["regarding"]) ?? .object([:])
        Self.copy(object, "reason", to: &core, "reason")
        Self.copy(object, "note", to: &core, "message")
        core["source"] = present(object["deprecatedSource"]) ?? .object([:])
        core["firstTimestamp"] = object["deprecatedFirstTimestamp"] ?? .null
        core["lastTimestamp"] = object["deprecatedLastTimestamp"] ?? .null
        if let count = object["deprecatedCount"]?.intValue, count != 0 { core["count"] = .int(count) }
        Self.copy(object, "type", to: &core, "type")
        core["eventTime"] = object["eventTime"] ?? .null
        if let series = present(object["series"]) { core["series"] = series }
        Self.copy(object, "action", to: &core, "action")
        if let related = present(object["related"]) { core["related"] = related }
        core["reportingComponent"] = .string(object.string("reportingController"))
        core["reportingInstance"] = .string(object.string("reportingInstance"))
        return .object(core)
    }

    public func fromStorage(_ object: JSON) -> JSON {
        var event: JSONObject = ["apiVersion": "events.k8s.io/v1", "kind": "Event"]
        event["metadata"] = object["metadata"] ?? .object([:])
        event["eventTime"] = object["eventTime"] ?? .null
        if let series = present(object["series"]) { event["series"] = series }
        Self.copy(object, "reportingComponent", to: &event, "reportingController")
        Self.copy(object, "reportingInstance", to: &event, "reportingInstance")
        Self.copy(object, "action", to: &event, "action")
        Self.copy(object, "reason", to: &event, "reason")
        event["regarding"] = present(object["involvedObject"]) ?? .object([:])
        if let related = present(object["related"]) { event["related"] = related }
        Self.copy(object, "message", to: &event, "note")
        Self.copy(object, "type", to: &event, "type")
        event["deprecatedSource"] = present(object["source"]) ?? .object([:])
        event["deprecatedFirstTimestamp"] = object["firstTimestamp"] ?? .null
        event["deprecatedLastTimestamp"] = object["lastTimestamp"] ?? .null
        if let count = object["count"]?.intValue, count != 0 { event["deprecatedCount"] = .int(count) }
        return .object(event)
    }

    private func present(_ value: JSON?) -> JSON? {
        guard let value, value != .null else { return nil }
        return value
    }

    /// A string member, written only when not empty (Go's `omitempty`).
    private static func copy(_ from: JSON, _ key: String, to: inout JSONObject, _ target: String) {
        let value = from.string(key)
        if !value.isEmpty { to[target] = .string(value) }
    }
}
