import APIMachinery
import Foundation
import Registry

/// Records core/v1 Events about objects, named and shaped as client-go's event recorder makes them
/// (`<object>.<hex nanoseconds>`, involvedObject, source component, first/last timestamps, count).
public struct EventRecorder: Sendable {
    let registry: Registry
    let timers: any Timers

    public enum EventType: String, Sendable { case normal = "Normal", warning = "Warning" }

    /// - Parameters:
    ///   - object: the object the event is about (needs apiVersion, kind and metadata).
    ///   - component: the reporting component, e.g. `statefulset-controller`.
    public func record(_ object: JSON, type: EventType, reason: String, message: String, component: String) {
        guard let store = registry.store(group: "", plural: "events") else { return }
        let now = timers.now()
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        let namespace = object[path: "metadata", "namespace"]?.stringValue ?? "default"
        let nanos = UInt64(max(0, now.timeIntervalSince1970 * 1e9))
        let timestamp = Timestamp.format(now)
        var involved: JSONObject = [
            "kind": object["kind"] ?? "", "namespace": .string(namespace), "name": .string(name),
            "uid": object[path: "metadata", "uid"] ?? "", "apiVersion": object["apiVersion"] ?? "",
        ]
        if let rv = object[path: "metadata", "resourceVersion"] { involved["resourceVersion"] = rv }
        var event: JSON = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(name).\(String(nanos, radix: 16))"), "namespace": .string(namespace)],
            "involvedObject": .object(involved),
            "reason": .string(reason), "message": .string(message),
            "source": ["component": .string(component)],
            "firstTimestamp": .string(timestamp), "lastTimestamp": .string(timestamp),
            "count": 1, "type": .string(type.rawValue),
            "eventTime": .null, "reportingComponent": .string(component), "reportingInstance": "",
        ]
        // Two events about one object in the same nanosecond (manual clocks make this common) would
        // share a name: the later one takes the next free nanosecond instead of being lost.
        for offset in UInt64(0)..<16 {
            event[path: "metadata", "name"] = .string("\(name).\(String(nanos + offset, radix: 16))")
            do {
                _ = try store.create(namespace: namespace, body: RequestBody(value: event), options: WriteOptions())
                return
            } catch {
                if error.code != 409 { return }
            }
        }
    }
}
