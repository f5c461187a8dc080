import APIMachinery
import XCTest

/// Resources served in two versions through the API: discovery names both with upstream's preferred
/// version, and either version's path reads and writes the same objects.
final class VersionViewAPITests: XCTestCase {
    func testDiscoveryPrefersTheStorageVersions() throws {
        let api = try InProcessAPI()
        let group = api.call("GET", "/apis/autoscaling").json
        XCTAssertEqual(group["versions"]?.arrayValue?.compactMap { $0["version"]?.stringValue }, ["v2", "v1"])
        XCTAssertEqual(group[path: "preferredVersion", "version"], "v2")
        let events = api.call("GET", "/apis/events.k8s.io/v1").json
        XCTAssertEqual(events["resources"]?.arrayValue?.first?["kind"], "Event")
        XCTAssertEqual(events["resources"]?.arrayValue?.first?["shortNames"], ["ev"])
        let aggregated = api.call("GET", "/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList").json
        let autoscaling = aggregated["items"]?.arrayValue?.first { $0[path: "metadata", "name"] == "autoscaling" }
        XCTAssertEqual(autoscaling?["versions"]?.arrayValue?.compactMap { $0["version"]?.stringValue }, ["v2", "v1"])
        XCTAssertNotNil(aggregated["items"]?.arrayValue?.first { $0[path: "metadata", "name"] == "events.k8s.io" })
    }

    func testEitherVersionsPathServesTheSameObject() throws {
        let api = try InProcessAPI()
        let hpa: JSON = [
            "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": ["name": "web"],
            "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"], "maxReplicas": 5,
                     "targetCPUUtilizationPercentage": 80],
        ]
        let created = api.call("POST", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", body: hpa)
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(created.json[path: "spec", "minReplicas"], 1, "v1 defaults minReplicas")
        let v2 = api.call("GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web").json
        XCTAssertEqual(v2["apiVersion"], "autoscaling/v2")
        XCTAssertEqual(v2[path: "metadata", "resourceVersion"], created.json[path: "metadata", "resourceVersion"])
        let table = api.call("GET", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers",
                             accept: "application/json;as=Table;v=v1;g=meta.k8s.io").json
        XCTAssertEqual(table["rows"]?.arrayValue?.first?["cells"]?.arrayValue?[2], "cpu: <unknown>/80%")
        let invalid = api.call("POST", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers",
                               body: ["apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": ["name": "bad"],
                                      "spec": ["scaleTargetRef": ["kind": "Deployment", "name": "web"], "maxReplicas": 0]])
        XCTAssertEqual(invalid.status, 422)
        XCTAssertEqual(invalid.json[path: "reason"], "Invalid")
        XCTAssertEqual(invalid.json[path: "details", "causes"]?.arrayValue?.first?["field"], "spec.maxReplicas")

        let event: JSON = [
            "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["name": "e.1"],
            "eventTime": "2024-01-01T00:00:00.000000Z", "reportingController": "example.com/ctl", "reportingInstance": "i",
            "action": "Poke", "reason": "Poked", "note": "hi", "type": "Normal", "regarding": ["kind": "Pod", "name": "p", "namespace": "default"],
        ]
        XCTAssertEqual(api.call("POST", "/apis/events.k8s.io/v1/namespaces/default/events", body: event).status, 201)
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/events/e.1").json["message"], "hi")
        let patched = api.call("PATCH", "/apis/events.k8s.io/v1/namespaces/default/events/e.1",
                               body: ["series": ["count": 2, "lastObservedTime": "2024-01-01T00:01:00.000000Z"]],
                               contentType: "application/merge-patch+json")
        XCTAssertEqual(patched.status, 200)
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/events/e.1").json[path: "series", "count"], 2)
        let selected = api.call("GET", "/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dp").json
        XCTAssertEqual(selected["items"]?.arrayValue?.count, 1)
        XCTAssertEqual(api.call("DELETE", "/apis/events.k8s.io/v1/namespaces/default/events/e.1").status, 200)
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/events/e.1").status, 404)
    }

    func testAQuotaSelectingAPriorityClassChargesOnlyItsPods() throws {
        let api = try InProcessAPI()
        let quotas = "/api/v1/namespaces/default/resourcequotas", pods = "/api/v1/namespaces/default/pods"
        XCTAssertEqual(api.call("POST", "/apis/scheduling.k8s.io/v1/priorityclasses",
                                body: ["apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": ["name": "high"], "value": 1000]).status, 201)
        let quota: JSON = ["apiVersion": "v1", "kind": "ResourceQuota", "metadata": ["name": "high-pods"],
                           "spec": ["hard": ["pods": "1"], "scopeSelector": ["matchExpressions": [
                               ["scopeName": "PriorityClass", "operator": "In", "values": ["high"]]]]]]
        XCTAssertEqual(api.call("POST", quotas, body: quota).status, 201)
        var counted = api.call("GET", quotas + "/high-pods").json
        counted["status"] = ["hard": ["pods": "1"], "used": ["pods": "0"]]
        XCTAssertEqual(api.call("PUT", quotas + "/high-pods/status", body: counted).status, 200)
        func pod(_ name: String, _ priorityClass: String?) -> JSON {
            var spec: JSONObject = ["containers": [["name": "c", "image": "nginx"]]]
            if let priorityClass { spec["priorityClassName"] = .string(priorityClass) }
            return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": .object(spec)]
        }
        XCTAssertEqual(api.call("POST", pods, body: pod("plain-1", nil)).status, 201)
        XCTAssertEqual(api.call("POST", pods, body: pod("plain-2", nil)).status, 201)
        XCTAssertEqual(api.call("POST", pods, body: pod("high-1", "high")).status, 201)
        let over = api.call("POST", pods, body: pod("high-2", "high"))
        XCTAssertEqual(over.status, 403)
        XCTAssertEqual(over.json[path: "message"],
                       #"pods "high-2" is forbidden: exceeded quota: high-pods, requested: pods=1, used: pods=1, limited: pods=1"#)
        let invalid = quota.withSpec(["hard": ["pods": "1"], "scopeSelector": ["matchExpressions": [["scopeName": "Terminating", "operator": "In", "values": ["x"]]]]])
        let refused = api.call("POST", quotas, body: invalid)
        XCTAssertEqual(refused.status, 422)
        XCTAssertEqual(refused.json[path: "details", "causes"]?.arrayValue?.first?["field"], "spec.scopeSelector.matchExpressions.operator")
    }
}

private extension JSON {
    func withSpec(_ spec: JSON) -> JSON {
        var copy = self
        copy["spec"] = spec
        copy[path: "metadata", "name"] = "other"
        return copy
    }
}
