import APIMachinery
import APIServer
import ControllerRuntime
import Foundation
import XCTest

/// Ingresses, ReplicationControllers and DaemonSets through the API server: defaults, 422 causes
/// with upstream's group and kind, the scale and status subresources, Tables, default propagation.
final class WorkloadKindsAPITests: XCTestCase {
    static let ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"
    static let rcs = "/api/v1/namespaces/default/replicationcontrollers"
    static let daemonSets = "/apis/apps/v1/namespaces/default/daemonsets"
    static let tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io"

    func testInvalidIngressIs422AndStatusIsItsOwnEndpoint() throws {
        let api = try InProcessAPI()
        let bad: JSON = ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": ["name": "web"], "spec": [:]]
        let refused = api.call("POST", Self.ingresses, body: bad)
        XCTAssertEqual(refused.status, 422, refused.text)
        XCTAssertEqual(refused.json[path: "details", "group"], "networking.k8s.io")
        XCTAssertEqual(refused.json[path: "details", "kind"], "Ingress")
        XCTAssertEqual(refused.json["message"], "Ingress.networking.k8s.io \"web\" is invalid: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified")

        var good = bad
        good["spec"] = ["defaultBackend": ["service": ["name": "web", "port": ["name": "http"]]]]
        var created = api.call("POST", Self.ingresses, body: good).json
        XCTAssertEqual(created[path: "metadata", "generation"], 1)
        created["status"] = ["loadBalancer": ["ingress": [["ip": "192.0.2.10"]]]]
        XCTAssertEqual(api.call("PUT", Self.ingresses + "/web", body: created).json["status"], ["loadBalancer": [:]], "the main resource keeps the status")
        created = api.call("GET", Self.ingresses + "/web").json
        created["status"] = ["loadBalancer": ["ingress": [["ip": "192.0.2.10"]]]]
        XCTAssertEqual(api.call("PUT", Self.ingresses + "/web/status", body: created).status, 200)
        let table = api.call("GET", Self.ingresses, accept: Self.tableAccept).json
        XCTAssertEqual(table[path: "rows"]?.arrayValue?.first?["cells"]?.arrayValue?.prefix(5).map { $0 },
                       ["web", "<none>", "*", "192.0.2.10", "80"])
    }

    func testDefaultIngressClassIsAdmitted() throws {
        let api = try InProcessAPI()
        for name in ["a", "b"] {
            let ingressClass: JSON = ["apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                                      "metadata": ["name": .string(name), "annotations": ["ingressclass.kubernetes.io/is-default-class": "true"]],
                                      "spec": ["controller": "example.com/ingress"]]
            XCTAssertEqual(api.call("POST", "/apis/networking.k8s.io/v1/ingressclasses", body: ingressClass).status, 201)
        }
        let ingress: JSON = ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": ["name": "web"],
                             "spec": ["defaultBackend": ["service": ["name": "web", "port": ["number": 80]]]]]
        // The newest default wins; within the same creation second, the first name.
        let created = ["a", "b"].map { api.call("GET", "/apis/networking.k8s.io/v1/ingressclasses/\($0)").json[path: "metadata", "creationTimestamp"]?.stringValue ?? "" }
        let expected: JSON = created[1] > created[0] ? "b" : "a"
        XCTAssertEqual(api.call("POST", Self.ingresses, body: ingress).json[path: "spec", "ingressClassName"], expected)
        var annotated = ingress
        annotated[path: "metadata", "name"] = "old-style"
        annotated[path: "metadata", "annotations"] = ["kubernetes.io/ingress.class": "nginx"]
        XCTAssertNil(api.call("POST", Self.ingresses, body: annotated).json[path: "spec", "ingressClassName"])
    }

    func testReplicationControllerScaleAndOrphaningDelete() throws {
        let api = try InProcessAPI()
        let rc: JSON = ["apiVersion": "v1", "kind": "ReplicationController", "metadata": ["name": "web"],
                        "spec": ["template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "c", "image": "nginx"]]]]]]
        let created = api.call("POST", Self.rcs, body: rc)
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created.json[path: "spec", "selector"], ["app": "web"])
        var scale = api.call("GET", Self.rcs + "/web/scale").json
        XCTAssertEqual(scale["kind"], "Scale")
        XCTAssertEqual(scale[path: "spec", "replicas"], 1)
        XCTAssertEqual(scale[path: "status", "selector"], "app=web")
        scale[path: "spec", "replicas"] = 4
        XCTAssertEqual(api.call("PUT", Self.rcs + "/web/scale", body: scale).status, 200)
        XCTAssertEqual(api.call("GET", Self.rcs + "/web").json[path: "spec", "replicas"], 4)
        let deleted = api.call("DELETE", Self.rcs + "/web")
        XCTAssertEqual(deleted.status, 200, deleted.text)
        XCTAssertEqual(deleted.json[path: "metadata", "finalizers"], ["orphan"], "v1 ReplicationControllers orphan their pods by default")
    }

    func testDaemonSetDefaultsAndTable() throws {
        let api = try InProcessAPI()
        let ds: JSON = ["apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": "agent"],
                        "spec": ["selector": ["matchLabels": ["app": "agent"]],
                                 "template": ["metadata": ["labels": ["app": "agent"]],
                                              "spec": ["nodeSelector": ["disk": "ssd"], "containers": [["name": "c", "image": "nginx"]]]]]]
        let created = api.call("POST", Self.daemonSets, body: ds)
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created.json[path: "spec", "updateStrategy", "rollingUpdate", "maxUnavailable"], 1)
        XCTAssertEqual(created.json[path: "metadata", "annotations", "deprecated.daemonset.template.generation"], "1")
        let table = api.call("GET", Self.daemonSets, accept: Self.tableAccept).json
        let names = table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        XCTAssertEqual(names, ["Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age",
                               "Containers", "Images", "Selector"])
        XCTAssertEqual(table[path: "rows"]?.arrayValue?.first?["cells"]?.arrayValue?[6], "disk=ssd")
        var bad = ds
        bad[path: "spec", "template", "spec", "restartPolicy"] = "OnFailure"
        bad[path: "metadata", "name"] = "bad"
        let refused = api.call("POST", Self.daemonSets, body: bad)
        XCTAssertEqual(refused.status, 422)
        XCTAssertEqual(refused.json[path: "details", "causes"]?.arrayValue?.compactMap { $0["field"]?.stringValue },
                       ["spec.template.spec.restartPolicy"])
    }
}
