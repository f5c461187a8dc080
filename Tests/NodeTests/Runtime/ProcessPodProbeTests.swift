import APIMachinery
import Foundation
import KubeliteTesting
@testable import Node
import Registry
import XCTest

/// Probes and hooks on pods that really run (root and Linux namespaces needed): the network probes
/// dial inside the pod's network namespace, exec hooks run in the container.
extension ProcessPodTests {
    func ready(_ pod: String) -> String? { NodeTestCluster.condition(cluster.pod(pod), "Ready")?["status"]?.stringValue }

    func testAnHTTPReadinessProbeReachesAServerInsideThePod() throws {
        let probe: JSON = ["httpGet": ["path": "/", "port": "http"], "periodSeconds": 1]
        try runPod("web", image: "python", command: ["python3", "-m", "http.server", "8080"],
                   container: ["ports": [["name": "http", "containerPort": 8080]], "readinessProbe": probe])
        // The server needs a moment to listen; each attempt is a second apart on the manual clock.
        waitUntil("ready", timeout: 20) {
            self.cluster.advance(.seconds(1))
            return self.ready("web") == "True"
        }
        // The host's loopback is not the pod's: nothing listens on 8080 here.
        let host = NetworkProbe.tcp(host: "127.0.0.1", port: 8080, namespace: "/proc/self/ns/net", timeout: 1)
        XCTAssertEqual(host, .failure("dial tcp 127.0.0.1:8080: connect: connection refused"))
    }

    func testATCPLivenessProbeWithNothingListeningRestartsTheContainer() throws {
        let probe: JSON = ["tcpSocket": ["port": 6379], "periodSeconds": 1, "failureThreshold": 1]
        try runPod("deaf", command: ["sleep", "300"], container: ["livenessProbe": probe])
        waitUntil("restarted", timeout: 20) {
            self.cluster.advance(.seconds(1))
            return self.cluster.pod("deaf")?[path: "status", "containerStatuses"]?.arrayValue?.first?["restartCount"]?.intValue ?? 0 >= 1
        }
        let unhealthy = cluster.events(about: "deaf").first { $0["reason"]?.stringValue == "Unhealthy" }
        XCTAssertEqual(unhealthy?["message"]?.stringValue, "Liveness probe failed: dial tcp 127.0.0.1:6379: connect: connection refused")
    }

    func testAnExecPreStopHookRunsBeforeTheContainerEnds() throws {
        // The marker reaches the host through a hostPath volume (the pod's root is its own).
        let shared = "\(root)/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        let marker = "\(shared)/prestop-ran"
        try runPod("stopper", command: ["sleep", "300"],
                   spec: ["volumes": [["name": "shared", "hostPath": ["path": .string(shared)]]]],
                   container: ["lifecycle": ["preStop": ["exec": ["command": ["sh", "-c", "echo bye > /shared/prestop-ran"]]]],
                               "volumeMounts": [["name": "shared", "mountPath": "/shared"]]])
        _ = try cluster.store("pods").delete(namespace: "default", name: "stopper", options: DeleteOptions())
        waitUntil("gone", timeout: 20) { self.cluster.pod("stopper") == nil }
        XCTAssertEqual(RuntimeTestSupport.logText(marker), "bye\n")
    }
}
