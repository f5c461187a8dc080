import APIMachinery
import Foundation
import Registry

/// Records core/v1 Events about objects, named and shaped as client-go's event recorder makes them
/// (`<object>.<hex nanoseconds>`, involvedObject, source component, first/last timestamps, count),
/// correlated as client-go correlates them (`EventCorrelator`): repeats update one event's count,
/// similar events are combined, and a source's burst about one object is limited.
/// Events are written through the controller's client, so as its user.
public struct EventRecorder: Sendable {
    let events: ResourceClient?
    let timers: any Timers
    let correlator = EventCorrelator()

    /// How many events about one object may share a nanosecond: far more than any burst a
    /// standing manual clock sees; past it an event is dropped, as upstream drops events it
    /// cannot write.
    static let namesPerNanosecond: UInt64 = 4096

    public enum EventType: String, Sendable { case normal = "Normal", warning = "Warning" }

    /// - Parameter events: the client of core/v1 events; nil where events are not served.
    public init(events: ResourceClient?, timers: any Timers) {
        self.events = events
        self.timers = timers
    }

    /// - Parameters:
    ///   - object: the object the event is about (needs apiVersion, kind and metadata).
    ///   - component: the reporting component, e.g. `statefulset-controller`.
    ///   - fieldPath: the part of the object the event is about, as the kubelet names a container
    ///     (`spec.containers{redis}`).
    ///   - host: the node of the reporting kubelet.
    public func record(_ object: JSON, type: EventType, reason: String, message: String, component: String,
                       fieldPath: String? = nil, host: String? = nil) {
        guard let store = events else { return }
        let now = timers.now()
        let meta = object.meta
        let name = meta.name
        let namespace = meta.namespace.isEmpty ? "default" : meta.namespace
        let typeMeta = object.typeMeta
        let seen = EventCorrelator.Event(component: component, host: host ?? "", kind: typeMeta.kind, namespace: namespace,
                                         name: name, uid: meta.uid, apiVersion: typeMeta.apiVersion, fieldPath: fieldPath ?? "",
                                         type: type.rawValue, reason: reason, message: message)
        guard let decision = correlator.correlate(seen, now: now) else { return }
        let timestamp = JSON.string(Timestamp.format(now))
        if let existing = decision.existingName, !existing.isEmpty {
            // The recorder's patch of an event it wrote before: count, lastTimestamp and message.
            let patch: JSON = ["count": .int(Int64(decision.count)), "lastTimestamp": timestamp, "message": .string(decision.message)]
            do {
                _ = try store.patch(namespace: namespace, name: existing, type: .merge, patch: RequestBody(value: patch))
                return
            } catch {
                // Removed meanwhile (events expire): written anew under the same name, as upstream does.
                if !error.isNotFound { correlator.failed(key: decision.key); return }
            }
        }
        var involved: JSONObject = [
            "kind": .string(typeMeta.kind), "namespace": .string(namespace), "name": .string(name),
            "uid": .string(meta.uid), "apiVersion": .string(typeMeta.apiVersion),
        ]
        if !meta.resourceVersion.isEmpty { involved["resourceVersion"] = .string(meta.resourceVersion) }
        if let fieldPath { involved["fieldPath"] = .string(fieldPath) }
        var source: JSONObject = ["component": .string(component)]
        if let host { source["host"] = .string(host) }
        let nanos = UInt64(max(0, now.timeIntervalSince1970 * 1e9))
        var event: JSON = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(name).\(String(nanos, radix: 16))"), "namespace": .string(namespace)],
            "involvedObject": .object(involved),
            "reason": .string(reason), "message": .string(decision.message), "source": .object(source),
            "firstTimestamp": .string(Timestamp.format(decision.firstTimestamp)), "lastTimestamp": timestamp,
            "count": .int(Int64(decision.count)), "type": .string(type.rawValue),
            "eventTime": .null, "reportingComponent": .string(component), "reportingInstance": .string(host ?? ""),
        ]
        if let existing = decision.existingName, !existing.isEmpty {
            event.meta.name = existing
            if (try? store.create(namespace: namespace, body: RequestBody(value: event))) != nil {
                correlator.written(name: existing, key: decision.key)
            } else {
                correlator.failed(key: decision.key)
            }
            return
        }
        // Events recorded in the same nanosecond (a manual clock that stands still) would share a
        // name; the next free nanosecond keeps each one.
        for offset in UInt64(0)..<Self.namesPerNanosecond {
            let eventName = "\(name).\(String(nanos &+ offset, radix: 16))"
            event.meta.name = eventName
            do {
                _ = try store.create(namespace: namespace, body: RequestBody(value: event))
                correlator.written(name: eventName, key: decision.key)
                return
            } catch {
                if !error.isAlreadyExists { break }
            }
        }
        correlator.failed(key: decision.key)
    }
}
