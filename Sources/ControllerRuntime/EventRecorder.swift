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
    ///   - fieldPath: the part of the object the event is about, as the kubelet names a container
    ///     (`spec.containers{redis}`).
    ///   - host: the node of the reporting kubelet.
    public func record(_ object: JSON, type: EventType, reason: String, message: String, component: String,
                       fieldPath: String? = nil, host: String? = nil) {
        guard let store = registry.store(group: "", plural: "events") else { return }
        let now = timers.now()
        let name = object.meta.name
        let namespace = object[path: "metadata", "namespace"]?.stringValue ?? "default"
        let nanos = UInt64(max(0, now.timeIntervalSince1970 * 1e9))
        let timestamp = JSON.string(Timestamp.format(now))
        var involved: JSONObject = [
            "kind": object["kind"] ?? "", "namespace": .string(namespace), "name": .string(name),
            "uid": object[path: "metadata", "uid"] ?? "", "apiVersion": object["apiVersion"] ?? "",
        ]
        if let rv = object[path: "metadata", "resourceVersion"] { involved["resourceVersion"] = rv }
        if let fieldPath { involved["fieldPath"] = .string(fieldPath) }
        var source: JSONObject = ["component": .string(component)]
        if let host { source["host"] = .string(host) }
        var event: JSON = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(name).\(String(nanos, radix: 16))"), "namespace": .string(namespace)],
            "involvedObject": .object(involved),
            "reason": .string(reason), "message": .string(message), "source": .object(source),
            "firstTimestamp": timestamp, "lastTimestamp": timestamp,
            "count": 1, "type": .string(type.rawValue),
            "eventTime": .null, "reportingComponent": .string(component), "reportingInstance": .string(host ?? ""),
        ]
        // Events recorded in the same nanosecond (a manual clock that stands still) would share a
        // name; the next free nanosecond keeps each one.
        for offset in UInt64(0)..<4096 {
            event[path: "metadata", "name"] = .string("\(name).\(String(nanos &+ offset, radix: 16))")
            do {
                _ = try store.create(namespace: namespace, body: RequestBody(value: event), options: WriteOptions())
                return
            } catch {
                if !error.isAlreadyExists { return }
            }
        }
    }
}
