import XCTest
@testable import APIMachinery

final class PodViewTests: XCTestCase {
    func testSpecAndStatus() {
        let pod = PodView([
            "metadata": ["name": "p"],
            "spec": [
                "nodeName": "n1", "hostname": "h", "subdomain": "svc", "schedulerName": "s", "hostNetwork": true,
                "nodeSelector": ["zone": "a"], "readinessGates": [["conditionType": "example.com/gate"]],
                "schedulingGates": [["name": "wait"]],
                "containers": [["name": "app", "ports": [["name": "http", "containerPort": 8080]], "resources": ["requests": ["cpu": "1"]]]],
                "initContainers": [["name": "sidecar", "restartPolicy": "Always", "ports": [["name": "m", "containerPort": 9, "protocol": "UDP"]]],
                                   ["name": "init"]],
            ],
            "status": [
                "phase": "Running", "podIP": "10.0.0.1", "podIPs": [["ip": "10.0.0.1"], ["ip": "fd00::1"]], "hostIP": "192.168.0.1",
                "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": "2024-01-01T00:00:00Z"]],
            ],
        ])
        XCTAssertEqual(pod.meta.name, "p")
        XCTAssertEqual(pod.nodeName, "n1")
        XCTAssertTrue(pod.isScheduled)
        XCTAssertEqual(pod.hostname, "h")
        XCTAssertEqual(pod.subdomain, "svc")
        XCTAssertEqual(pod.schedulerName, "s")
        XCTAssertTrue(pod.hostNetwork)
        XCTAssertEqual(pod.nodeSelector, ["zone": "a"])
        XCTAssertEqual(pod.readinessGates, ["example.com/gate"])
        XCTAssertTrue(pod.hasSchedulingGates)
        XCTAssertEqual(pod.containers.map(\.name), ["app"])
        XCTAssertEqual(pod.containers[0].port(named: "http", protocol: "TCP"), 8080)
        XCTAssertNil(pod.containers[0].port(named: "http", protocol: "UDP"))
        XCTAssertEqual(pod.containers[0].resourceRequests, ["cpu": "1"])
        XCTAssertEqual(pod.sidecarContainers.map(\.name), ["sidecar"])
        XCTAssertEqual(pod.sidecarContainers[0].port(named: "m", protocol: "UDP"), 9)
        XCTAssertEqual(pod.phase, "Running")
        XCTAssertFalse(pod.isTerminal)
        XCTAssertTrue(pod.isReady)
        XCTAssertEqual(pod.condition("Ready")?.lastTransitionTime, "2024-01-01T00:00:00Z")
        XCTAssertEqual(pod.podIP, "10.0.0.1")
        XCTAssertEqual(pod.podIPs, ["10.0.0.1", "fd00::1"])
        XCTAssertEqual(pod.hostIP, "192.168.0.1")
    }

    func testAnEmptyPod() {
        let pod = PodView([:])
        XCTAssertEqual(pod.nodeName, "")
        XCTAssertFalse(pod.isScheduled)
        XCTAssertNil(pod.phase)
        XCTAssertNil(pod.schedulerName)
        XCTAssertFalse(pod.isReady)
        XCTAssertFalse(pod.hasSchedulingGates)
        XCTAssertEqual(pod.containers, [])
        XCTAssertEqual(pod.podIPs, [])
        XCTAssertTrue(PodView(["status": ["phase": "Failed"]]).isTerminal)
        XCTAssertFalse(PodView(["status": ["conditions": [["type": "Ready", "status": "False"]]]]).isReady)
    }
}
