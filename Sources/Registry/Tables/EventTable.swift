import APIMachinery
import Foundation

/// `kubectl get events` columns, as upstream's printEvent (wide form, as the server always prints).
public enum EventTable {
    public static let columns: [TableColumn] = [
        TableColumn(name: "Last Seen", description: "The time the event was last seen."),
        TableColumn(name: "Type", description: "Normal or Warning."),
        TableColumn(name: "Reason", description: "Why the action was taken, in machine-readable form."),
        TableColumn(name: "Object", description: "The object this event is about."),
        TableColumn(name: "Subobject", description: "The part of the object the event is about.", priority: 1),
        TableColumn(name: "Source", description: "The component that reported the event.", priority: 1),
        TableColumn(name: "Message", description: "A human-readable description of the event."),
        TableColumn(name: "First Seen", description: "The time the event was first seen.", priority: 1),
        TableColumn(name: "Count", description: "The number of times the event occurred.", priority: 1),
        TableColumn(name: "Name", format: "name", description: "Name must be unique within a namespace.", priority: 1),
    ]

    public static func cells(_ event: JSON, now: Date) -> [JSON] {
        var firstSeen = PrinterFormat.since(event["firstTimestamp"], now: now)
        if PrinterFormat.date(event["firstTimestamp"]) == nil {
            firstSeen = PrinterFormat.since(event["eventTime"], now: now)
        }
        var lastSeen = PrinterFormat.date(event["lastTimestamp"]) == nil ? firstSeen : PrinterFormat.since(event["lastTimestamp"], now: now)
        var count = PrinterFormat.int(event["count"])
        if let series = event["series"], !series.isNull {
            lastSeen = PrinterFormat.since(series["lastObservedTime"], now: now)
            count = PrinterFormat.int(series["count"])
        } else if count == 0 {
            count = 1
        }

        let kind = PrinterFormat.string(event[path: "involvedObject", "kind"]).lowercased()
        let name = PrinterFormat.string(event[path: "involvedObject", "name"])
        let target = name.isEmpty ? kind : "\(kind)/\(name)"

        return [
            .string(lastSeen),
            .string(PrinterFormat.string(event["type"])),
            .string(PrinterFormat.string(event["reason"])),
            .string(target),
            .string(PrinterFormat.string(event[path: "involvedObject", "fieldPath"])),
            .string(source(event)),
            .string(PrinterFormat.string(event["message"]).trimmingCharacters(in: .whitespacesAndNewlines)),
            .string(firstSeen),
            .int(count),
            PrinterFormat.name(event),
        ]
    }

    /// formatEventSource: component (or reportingComponent), then `, host` (or reportingInstance) when known.
    static func source(_ event: JSON) -> String {
        var component = PrinterFormat.string(event[path: "source", "component"])
        if component.isEmpty { component = PrinterFormat.string(event["reportingComponent"]) }
        var host = PrinterFormat.string(event[path: "source", "host"])
        if host.isEmpty { host = PrinterFormat.string(event["reportingInstance"]) }
        return host.isEmpty ? component : "\(component), \(host)"
    }
}
