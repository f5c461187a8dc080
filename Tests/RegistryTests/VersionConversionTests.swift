import APIMachinery
import Foundation
import KubeliteTesting
@testable import Registry
import Storage
import Synchronization
import XCTest

/// Built-in resources served in two versions: the conversions as upstream's, and the version view's
/// store reading and writing the storage version's objects (one set of objects, either version).
final class VersionConversionTests: XCTestCase {
    // MARK: events.k8s.io/v1 ↔ core/v1

    let eventsV1 = json(#"""
    {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e.1","namespace":"default"},
     "eventTime":"2024-01-01T00:00:00.000000Z","series":{"count":3,"lastObservedTime":"2024-01-01T00:01:00.000000Z"},
     "reportingController":"example.com/ctl","reportingInstance":"ctl-1","action":"Poke","reason":"Poked",
     "regarding":{"kind":"Pod","name":"p","namespace":"default"},"related":{"kind":"Node","name":"n"},
     "note":"hello","type":"Normal"}
    """#)

    func testEventFieldsMapBothWays() {
        let core = EventConversion().toStorage(eventsV1)
        XCTAssertEqual(core["apiVersion"], "v1")
        XCTAssertEqual(core["message"], "hello")
        XCTAssertEqual(core["involvedObject"], ["kind": "Pod", "name": "p", "namespace": "default"])
        XCTAssertEqual(core["reportingComponent"], "example.com/ctl")
        XCTAssertEqual(core["reportingInstance"], "ctl-1")
        XCTAssertEqual(core["related"], ["kind": "Node", "name": "n"])
        XCTAssertEqual(core["series"]?["count"], 3)
        XCTAssertEqual(core["source"], .object([:]))
        XCTAssertEqual(core["firstTimestamp"], .null)
        XCTAssertNil(core["count"], "a zero count is omitted")
        XCTAssertNil(core["note"])
        XCTAssertEqual(EventConversion().fromStorage(core), eventsV1.withMembers([
            "deprecatedSource": .object([:]), "deprecatedFirstTimestamp": .null, "deprecatedLastTimestamp": .null,
        ]), "a round trip keeps every field")

        let legacy = json(#"""
        {"apiVersion":"v1","kind":"Event","metadata":{"name":"old","namespace":"default"},"involvedObject":{"kind":"Pod","name":"p"},
         "reason":"Started","message":"m","source":{"component":"kubelet","host":"n1"},"firstTimestamp":"2024-01-01T00:00:00Z",
         "lastTimestamp":"2024-01-01T00:05:00Z","count":4,"type":"Normal","eventTime":null,"reportingComponent":"","reportingInstance":""}
        """#)
        let seen = EventConversion().fromStorage(legacy)
        XCTAssertEqual(seen["note"], "m")
        XCTAssertEqual(seen["deprecatedSource"], ["component": "kubelet", "host": "n1"])
        XCTAssertEqual(seen["deprecatedCount"], 4)
        XCTAssertEqual(seen["deprecatedLastTimestamp"], "2024-01-01T00:05:00Z")
        XCTAssertNil(seen["reportingController"], "empty strings are omitted, as Go's omitempty")
    }

    func testEventsV1ValidationIsStrict() {
        let strategy = EventsV1EventStrategy()
        XCTAssertEqual(create(strategy, eventsV1).errors, [])
        let bare = json(#"{"metadata":{"name":"e","namespace":"default"},"reason":"X","deprecatedCount":3,"type":"Odd","deprecatedSource":{"component":"c"}}"#)
        XCTAssertEqual(create(strategy, bare).errors, [
            "eventTime: Required value",
            #"type: Invalid value: "": has invalid value: Odd"#,
            #"count: Invalid value: "": needs to be unset"#,
            #"source: Invalid value: "": needs to be unset"#,
        ])
        let noController = modified(eventsV1) { $0["reportingController"] = nil; $0["series"] = ["count": 1] }
        // An empty controller also fails IsQualifiedName's two name-part checks, as upstream reports it.
        XCTAssertEqual(create(strategy, noController).errors.filter { !$0.contains("name part") }, [
            "reportingController: Required value",
            #"series.count: Invalid value: "": should be at least 2"#,
            "series.lastObservedTime: Required value",
        ])
        // The same event through core/v1 names the field as that version does, and skips the strict rules.
        let core = modified(EventConversion().toStorage(noController)) { $0["series"] = nil }
        XCTAssertEqual(create(EventStrategy(), core).errors.filter { !$0.contains("name part") }, ["reportingComponent: Required value"])
        let changed = modified(eventsV1) { $0["note"] = "changed"; $0["series"] = ["count": 4, "lastObservedTime": "2024-01-01T00:02:00.000000Z"] }
        XCTAssertEqual(update(strategy, changed, old: eventsV1).errors, [#"message: Invalid value: "changed": field is immutable"#])
    }

    // MARK: autoscaling/v1 ↔ v2

    let v1HPA = json(#"""
    {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web","namespace":"default"},
     "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":2,"maxReplicas":5,
             "targetCPUUtilizationPercentage":70}}
    """#)

    func testTargetCPUBecomesAResourceMetricAndBack() {
        let conversion = HorizontalPodAutoscalerConversion()
        let v2 = conversion.toStorage(v1HPA)
        XCTAssertEqual(v2["apiVersion"], "autoscaling/v2")
        XCTAssertEqual(v2[path: "spec", "metrics"], [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 70]]]])
        XCTAssertEqual(v2[path: "spec", "minReplicas"], 2)
        let back = conversion.fromStorage(v2)
        XCTAssertEqual(back[path: "spec", "targetCPUUtilizationPercentage"], 70)
        XCTAssertNil(back[path: "metadata", "annotations"], "nothing v1 cannot say, no annotation")
        XCTAssertEqual(back[path: "status", "currentReplicas"], 0, "v1 writes both counts")
        XCTAssertEqual(back[path: "status", "desiredReplicas"], 0)

        let noTarget = modified(v1HPA) { $0[path: "spec", "targetCPUUtilizationPercentage"] = nil }
        XCTAssertEqual(element(conversion.toStorage(noTarget)[path: "spec", "metrics"], 0)?[path: "resource", "target", "averageUtilization"], 80,
                       "v1 without a target means CPU at 80%, made explicit by the conversion")
    }

    func testWhatV1CannotSayTravelsInAnnotations() {
        let v2 = json(#"""
        {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"web","namespace":"default","annotations":{"keep":"me"}},
         "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":1,"maxReplicas":5,
           "metrics":[
             {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":60}}},
             {"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"10"}}},
             {"type":"External","external":{"metric":{"name":"queue"},"target":{"type":"Value","value":"30"}}}],
           "behavior":{"scaleDown":{"stabilizationWindowSeconds":60,"selectPolicy":"Max","policies":[{"type":"Percent","value":50,"periodSeconds":15}]}}},
         "status":{"currentReplicas":2,"desiredReplicas":3,
           "currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":75,"averageValue":"150m"}}}],
           "conditions":[{"type":"AbleToScale","status":"True","lastTransitionTime":"2024-01-01T00:00:00Z","reason":"ReadyForNewScale"}]}}
        """#)
        let conversion = HorizontalPodAutoscalerConversion()
        let v1 = conversion.fromStorage(v2)
        XCTAssertEqual(v1[path: "spec", "targetCPUUtilizationPercentage"], 60)
        XCTAssertEqual(v1[path: "status", "currentCPUUtilizationPercentage"], 75)
        let annotations = v1[path: "metadata", "annotations"] ?? [:]
        XCTAssertEqual(annotations["keep"], "me")
        XCTAssertEqual(parsed(annotations["autoscaling.alpha.kubernetes.io/metrics"]), [
            ["type": "Pods", "pods": ["metricName": "qps", "targetAverageValue": "10"]],
            ["type": "External", "external": ["metricName": "queue", "targetValue": "30"]],
        ])
        XCTAssertEqual(parsed(annotations["autoscaling.alpha.kubernetes.io/current-metrics"]), [
            ["type": "Resource", "resource": ["name": "cpu", "currentAverageUtilization": 75, "currentAverageValue": "150m"]],
        ])
        XCTAssertEqual(parsed(annotations["autoscaling.alpha.kubernetes.io/behavior"]), [
            "ScaleUp": .null,
            "ScaleDown": ["StabilizationWindowSeconds": 60, "SelectPolicy": "Max", "Policies": [["Type": "Percent", "Value": 50, "PeriodSeconds": 15]]],
        ], "behavior is written with Go's field names, as upstream marshals the internal type")
        XCTAssertEqual(element(parsed(annotations["autoscaling.alpha.kubernetes.io/conditions"]), 0)?["reason"], "ReadyForNewScale")

        // Written back through v1, nothing is lost and the annotations are gone again.
        let again = conversion.toStorage(v1)
        XCTAssertEqual(again[path: "spec", "metrics"]?.arrayValue?.count, 3)
        XCTAssertEqual(element(again[path: "spec", "metrics"], 0)?[path: "pods", "target"], ["type": "AverageValue", "averageValue": "10"])
        XCTAssertEqual(element(again[path: "spec", "metrics"], 1)?[path: "external", "target"], ["type": "Value", "value": "30"])
        XCTAssertEqual(element(again[path: "spec", "metrics"], 2)?[path: "resource", "target", "averageUtilization"], 60)
        XCTAssertEqual(again[path: "spec", "behavior", "scaleDown", "stabilizationWindowSeconds"], 60)
        XCTAssertEqual(element(again[path: "spec", "behavior", "scaleUp", "policies"], 0)?[path: "type"], "Pods", "v2 defaults fill the missing rules")
        XCTAssertEqual(element(again[path: "status", "currentMetrics"], 0)?[path: "resource", "current"], ["averageValue": "150m", "averageUtilization": 75])
        XCTAssertEqual(element(again[path: "status", "conditions"], 0)?[path: "type"], "AbleToScale")
        XCTAssertEqual(again[path: "metadata", "annotations"], ["keep": "me"])
    }

    func testV1ValidationReportsTheInternalFields() {
        let bad = modified(v1HPA) { $0[path: "spec", "maxReplicas"] = 0; $0[path: "spec", "scaleTargetRef", "name"] = nil }
        XCTAssertEqual(create(HorizontalPodAutoscalerV1Strategy(), bad).errors, [
            "spec.scaleTargetRef.name: Required value",
            "spec.maxReplicas: Invalid value: 0: must be greater than 0",
            "spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`",
        ])
    }

    // MARK: one set of objects through both stores

    func testBothVersionsShareObjectsListsAndWatches() throws {
        let registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        try registry.bootstrap()
        let core = try XCTUnwrap(registry.store(group: "", version: "v1", plural: "events"))
        let view = try XCTUnwrap(registry.store(group: "events.k8s.io", version: "v1", plural: "events"))
        XCTAssertEqual(view.storageResource, "events")

        final class Recorder: WatchConsumer, @unchecked Sendable {
            let seen = Mutex<[JSON]>([])
            func receive(_ event: WatchEvent) -> Bool { seen.withLock { $0.append(event.object.object) }; return true }
            func bookmark(revision: Int64, initialEventsEnd: Bool) -> Bool { true }
            func fail(_ failure: WatchFailure) {}
            func finish() {}
        }
        let recorder = Recorder()
        let handle = view.watch(namespace: "default", start: .mostRecent, consumer: recorder, timeout: nil)
        defer { handle.stop() }
        XCTAssertTrue(waitUntil("watch registered") { registry.watcherCount > 0 })

        let written = try view.create(namespace: "default", body: RequestBody(value: eventsV1), options: WriteOptions())
        XCTAssertEqual(written.object["apiVersion"], "events.k8s.io/v1")
        XCTAssertEqual(try core.get(namespace: "default", name: "e.1").object["message"], "hello")
        let legacy = json(#"{"apiVersion":"v1","kind":"Event","metadata":{"name":"old"},"involvedObject":{"kind":"Pod","name":"p","namespace":"default"},"reason":"R","message":"core"}"#)
        _ = try core.create(namespace: "default", body: RequestBody(value: legacy), options: WriteOptions())
        XCTAssertEqual(view.list(namespace: "default").items.map { $0.object["note"] }, ["hello", "core"])
        XCTAssertEqual(try view.get(namespace: "default", name: "old").object["regarding"]?["name"], "p")

        XCTAssertTrue(waitUntil("both events watched") { recorder.seen.withLock { $0.count } == 2 })
        XCTAssertEqual(recorder.seen.withLock { $0.map { $0["apiVersion"] } }, ["events.k8s.io/v1", "events.k8s.io/v1"])
        XCTAssertEqual(recorder.seen.withLock { $0.map { $0["note"] } }, ["hello", "core"])
    }

    func testAutoscalingV1WritesAreV2Objects() throws {
        let registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        try registry.bootstrap()
        let v1 = try XCTUnwrap(registry.store(group: "autoscaling", version: "v1", plural: "horizontalpodautoscalers"))
        let v2 = try XCTUnwrap(registry.store(group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers"))
        XCTAssertEqual(registry.store(GroupResource(group: "autoscaling", resource: "horizontalpodautoscalers"))?.resource.version, "v2",
                       "the resource's own store is its storage version's")
        _ = try v1.create(namespace: "default", body: RequestBody(value: v1HPA), options: WriteOptions())
        let stored = try v2.get(namespace: "default", name: "web").object
        XCTAssertEqual(element(stored[path: "spec", "metrics"], 0)?[path: "resource", "target", "averageUtilization"], 70)
        XCTAssertEqual(stored[path: "status", "desiredReplicas"], 0)
        XCTAssertNil(stored[path: "status", "currentReplicas"], "v2 omits a zero currentReplicas")
        // A v2 client adds a metric; a v1 client rewrites the object and keeps it.
        var richer = stored
        richer[path: "spec", "metrics"] = .array((stored[path: "spec", "metrics"]?.arrayValue ?? []) + [
            ["type": "Pods", "pods": ["metric": ["name": "qps"], "target": ["type": "AverageValue", "averageValue": "5"]]],
        ])
        _ = try v2.update(namespace: "default", name: "web", body: RequestBody(value: richer), options: WriteOptions())
        var seen = try v1.get(namespace: "default", name: "web").object
        seen[path: "spec", "maxReplicas"] = 9
        _ = try v1.update(namespace: "default", name: "web", body: RequestBody(value: seen), options: WriteOptions())
        let after = try v2.get(namespace: "default", name: "web").object
        XCTAssertEqual(after[path: "spec", "maxReplicas"], 9)
        XCTAssertEqual(after[path: "spec", "metrics"]?.arrayValue?.count, 2)
        XCTAssertNil(after[path: "metadata", "annotations"], "round-trip annotations are never stored")
    }

    private func element(_ array: JSON?, _ index: Int) -> JSON? {
        guard let items = array?.arrayValue, index < items.count else { return nil }
        return items[index]
    }

    private func parsed(_ value: JSON?) -> JSON? {
        guard let text = value?.stringValue else { return nil }
        return try? JSONParser.parse(text).value
    }
}

private extension JSON {
    func withMembers(_ members: JSONObject) -> JSON {
        var copy = self
        for (key, value) in members { copy[key] = value }
        return copy
    }
}
