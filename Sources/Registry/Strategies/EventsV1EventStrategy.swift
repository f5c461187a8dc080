import APIMachinery
import Foundation

/// events.k8s.io/v1 Events: a view of the core/v1 Events (`EventConversion`), validated as upstream's
/// ValidateEventCreate/ValidateEventUpdate validate a request of that version (legacy validation
/// plus the strict rules). Objects are checked in their core form, so field paths name the core
/// fields (`involvedObject`, `source`, `count`), as upstream's validation of the internal type does.
public struct EventsV1EventStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.eventsV1Events }
    public var conversion: (any VersionConversion)? { EventConversion() }

    /// Strict creates check the name as a DNS subdomain (ValidateObjectMeta with NameIsDNSSubdomain).
    public var nameValidator: NameValidator { NameValidation.nameIsDNSSubdomain }

    /// The members Go always writes for an events.k8s.io/v1 Event.
    public func applyDefaults(_ object: inout JSON) {
        object.setDefault("regarding", .object([:]))
        object.setDefault("deprecatedSource", .object([:]))
        for key in ["eventTime", "deprecatedFirstTimestamp", "deprecatedLastTimestamp"] where object[key] == nil {
            object[key] = .null
        }
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let event = EventConversion().toStorage(object)
        var errs = EventStrategy.legacyValidate(event, reportingControllerField: "reportingController")
        errs += Self.validateSeries(event)
        if Self.isZeroTime(event["eventTime"]) { errs.append(.required(FieldPath("eventTime"), "")) }
        let type = event.string("type")
        if type != "Normal", type != "Warning" {
            errs.append(.invalid(FieldPath("type"), "", "has invalid value: \(type)"))
        }
        if !Self.isZeroTime(event["firstTimestamp"]) { errs.append(.invalid(FieldPath("firstTimestamp"), "", "needs to be unset")) }
        if !Self.isZeroTime(event["lastTimestamp"]) { errs.append(.invalid(FieldPath("lastTimestamp"), "", "needs to be unset")) }
        if (event["count"]?.intValue ?? 0) != 0 { errs.append(.invalid(FieldPath("count"), "", "needs to be unset")) }
        if !event[path: "source", "component"].isEmptyString || !event[path: "source", "host"].isEmptyString {
            errs.append(.invalid(FieldPath("source"), "", "needs to be unset"))
        }
        return errs
    }

    /// ValidateEventUpdate for events.k8s.io/v1: legacy rules, a changed series checked, and what
    /// identifies the occurrence immutable.
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        let event = EventConversion().toStorage(object), previous = EventConversion().toStorage(old)
        var errs = EventStrategy.legacyValidate(event, reportingControllerField: "reportingController")
        if !SemanticEquality.equal(event["series"], previous["series"]) { errs += Self.validateSeries(event) }
        let immutable = ["involvedObject", "reason", "message", "source", "eventTime", "action", "related",
                         "reportingComponent", "reportingInstance", "type"]
        for key in immutable where !SemanticEquality.equal(event[key], previous[key]) {
            let name = key == "reportingComponent" ? "reportingController" : key
            errs.append(.invalid(FieldPath(name), event[key] ?? .null, "field is immutable"))
        }
        return errs
    }

    /// validateV1EventSeries.
    static func validateSeries(_ event: JSON) -> [FieldError] {
        guard let series = event["series"], series != .null else { return [] }
        var errs: [FieldError] = []
        if (series["count"]?.intValue ?? 0) < 2 { errs.append(.invalid(FieldPath("series.count"), "", "should be at least 2")) }
        if isZeroTime(series["lastObservedTime"]) { errs.append(.required(FieldPath("series.lastObservedTime"), "")) }
        return errs
    }

    static func isZeroTime(_ value: JSON?) -> Bool {
        guard let value, let text = value.stringValue else { return true }
        return text.isEmpty
    }

    /// The field labels events.k8s.io/v1 converts to the core ones (AddFieldLabelConversionsForEvent).
    public func selectableFields(_ object: JSON) -> [String: String] {
        var fields = Self.metadataFields(object)
        for key in ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"] {
            fields["regarding.\(key)"] = object[path: "regarding", key]?.stringValue ?? ""
        }
        fields["reason"] = object.string("reason")
        fields["reportingController"] = object.string("reportingController")
        fields["type"] = object.string("type")
        return fields
    }

    /// Upstream prints events of either version with the same printer (printEvent on the internal type).
    public var tableColumns: [TableColumn] { EventTable.columns }
    public func tableCells(_ object: JSON, now: Date) -> [JSON] { EventTable.cells(EventConversion().toStorage(object), now: now) }
    /// The cells come from the converted object, so no row is kept per revision.
    public func tableCellTemplate(_ object: JSON) -> [TableCell]? { nil }
}

private extension Optional where Wrapped == JSON {
    var isEmptyString: Bool { (self?.stringValue ?? "").isEmpty }
}
