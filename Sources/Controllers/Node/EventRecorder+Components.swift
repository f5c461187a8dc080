import APIMachinery
import Foundation
import Registry

extension EventRecorder {
    /// Records an Event as the kubelet and the scheduler do: `fieldPath` names the container
    /// (`spec.containers{redis}`), `host` the node of the reporting kubelet. Events about one object
    /// at the same instant get distinct names (the timestamp suffix moves on by a nanosecond), so
    /// with a frozen test clock none is lost.
    func record(_ object: JSON, type: EventType, reason: String, message: String, component: String,
                fieldPath: String?, host: String?) {
        guard let store = registry.store(group: "", plural: "events") else { return }
        let now = timers.now()
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        let namespace = object[path: "metadata", "namespace"]?.stringValue ?? "default"
        let timestamp = JSON.string(Timestamp.format(now))
        var involved: JSONObject = [
            "kind": object["kind"] ?? "Pod", "namespace": .string(namespace), "name": .string(name),
            "uid": object[path: "metadata", "uid"] ?? "", "apiVersion": object["apiVersion"] ?? "v1",
        ]
        if let rv = object[path: "metadata", "resourceVersion"] { involved["resourceVersion"] = rv }
        if let fieldPath { involved["fieldPath"] = .string(fieldPath) }
        var source: JSONObject = ["component": .string(component)]
        if let host { source["host"] = .string(host) }
        var nanos = UInt64(max(0, now.timeIntervalSince1970 * 1e9))
        for _ in 0..<64 {
            let event: JSON = [
                "apiVersion": "v1", "kind": "Event",
                "metadata": ["name": .string("\(name).\(String(nanos, radix: 16))"), "namespace": .string(namespace)],
                "involvedObject": .object(involved),
                "reason": .string(reason), "message": .string(message), "source": .object(source),
                "firstTimestamp": timestamp, "lastTimestamp": timestamp, "count": 1, "type": .string(type.rawValue),
                "eventTime": .null, "reportingComponent": .string(component), "reportingInstance": .string(host ?? ""),
            ]
            do {
                _ = try store.create(namespace: namespace, body: RequestBody(value: event), options: WriteOptions())
                return
            } catch {
                guard error.code == 409 else { return }
                nanos += 1
            }
        }
    }
}
