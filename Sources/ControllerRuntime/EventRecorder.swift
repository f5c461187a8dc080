import APIMachinery
import Foundation
import Registry

/// Records core/v1 Events about objects, named and shaped as client-go's event recorder makes them
/// (`<object>.<hex nanoseconds>`, involvedObject, source component, first/last timestamps, count).
public struct EventRecorder: Sendable {
    let registry: Registry
    let timers: any Timers

    /// How many events about one object may share a nanosecond: far more than any burst a
    /// standing manual clock sees; past it an event is dropped, as upstream drops events it
    /// cannot write.
    static let namesPerNanosecond: UInt64 = 4096

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
        let meta = object.meta
        let name = meta.name
        let namespace = meta.namespace.isEmpty ? "default" : meta.namespace
        let nanos = UInt64(max(0, now.timeIntervalSince1970 * 1e9))
        let timestamp = JSON.string(Timestamp.format(now))
        var involved: JSONObject = [
            "kind": .string(object.typeMeta.kind), "namespace": .string(namespace), "name": .string(name),
            "uid": .string(meta.uid), "apiVersion": .string(object.typeMeta.apiVersion),
        ]
        if !meta.resourceVersion.isEmpty { involved["resourceVersion"] = .string(meta.resourceVersion) }
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
        for offset in UInt64(0)..<Self.namesPerNanosecond {
            event.meta.name = "\(name).\(String(nanos &+ offset, radix: 16))"
            do {
                _ = try store.create(namespace: namespace, body: RequestBody(value: event), options: WriteOptions())
                return
            } catch {
                if !error.isAlreadyExists { return }
            }
        }
    }
}
