import APIMachinery
import Foundation
import KubeliteTesting
import Registry
@testable import Node
import Synchronization
import XCTest

/// Liveness, readiness and startup probes as the kubelet runs them.
final class ContainerProberTests: ContainerHandlerTestCase {
    func testAFailingLivenessProbeKillsTheContainerAfterFailureThresholdAndItRestarts() throws {
        runner.answer { $0 == .exec(command: ["check"]) ? .failure("not alive\n") : nil }
        var probe = Self.failing
        probe["periodSeconds"] = 10
        try createPod("live", container: ["livenessProbe": probe])
        waitUntil("first attempt") { self.runner.count(.exec(command: ["check"])) == 1 }
        cluster.advance(.seconds(10))
        waitUntil("second attempt") { self.runner.count(.exec(command: ["check"])) == 2 }
        cluster.settle()
        XCTAssertEqual(launcher.last("main")?.signals.withLock { $0 }, [], "two failures of three do not kill")
        cluster.advance(.seconds(10))
        waitUntil("restarted") { self.status("live")?["restartCount"]?.intValue == 1 && self.status("live")?[path: "state", "running"] != nil }
        XCTAssertEqual(launcher.started.withLock { $0.first }?.signals.withLock { $0 }, [SIGTERM])
        XCTAssertEqual(status("live")?[path: "lastState", "terminated", "exitCode"]?.intValue, 143)
        waitUntil("events") { self.messages("live", "Killing").count == 1 }
        XCTAssertEqual(messages("live", "Killing"), ["Container c failed liveness probe, will be restarted"])
        let unhealthy = cluster.events(about: "live").first { $0["reason"]?.stringValue == "Unhealthy" }
        XCTAssertEqual(unhealthy?["message"]?.stringValue, "Liveness probe failed: not alive\n")
        XCTAssertEqual(unhealthy?["type"]?.stringValue, "Warning")
        XCTAssertEqual(unhealthy?[path: "involvedObject", "fieldPath"]?.stringValue, "spec.containers{c}")
        XCTAssertEqual(messages("live", "Unhealthy").count, 1, "identical failures are counted on one event")
        XCTAssertGreaterThanOrEqual(occurrences("live", "Unhealthy"), 3, "one occurrence per failed attempt (the restarted instance is probed at once too)")
    }

    func testAContainerIgnoringSIGTERMAfterALivenessFailureIsKilledAfterTheProbesGracePeriod() throws {
        launcher = nil
        let timers = ManualTimers()
        launcher = FakeContainerLauncher(clock: { timers.now() }, endsOnTerm: false)
        var options = SimulatedNodeOptions()
        options.podRuntime = .process
        cluster = try NodeTestCluster(options, runtime: ProcessPodRuntime(root: root, catalog: ImageCatalog(entries: [ImageCatalogEntry(image: "tool", entrypoint: ["sh"])]),
                                                                         launcher: launcher, handlers: runner), timers: timers)
        runner.answer { _ in .failure("") }
        try createPod("stubborn", container: ["livenessProbe": ["exec": ["command": ["check"]], "failureThreshold": 1,
                                                                "terminationGracePeriodSeconds": 5]])
        waitUntil("SIGTERM") { self.launcher.last("main")?.signals.withLock { $0 } == [SIGTERM] }
        cluster.advance(.seconds(4))
        cluster.settle()
        XCTAssertEqual(launcher.last("main")?.signals.withLock { $0 }, [SIGTERM])
        cluster.advance(.seconds(1))
        waitUntil("restarted after SIGKILL") { self.status("stubborn")?["restartCount"]?.intValue == 1 }
        XCTAssertEqual(launcher.started.withLock { $0.first }?.signals.withLock { $0 }, [SIGTERM, SIGKILL])
    }

    func testRestartPolicyNeverEndsThePodAfterALivenessFailure() throws {
        runner.answer { _ in .failure("") }
        try createPod("once", container: ["livenessProbe": ["exec": ["command": ["check"]], "failureThreshold": 1]], restartPolicy: "Never")
        waitUntil("failed") { self.cluster.pod("once")?[path: "status", "phase"]?.stringValue == "Failed" }
        waitUntil("event") { !self.messages("once", "Killing").isEmpty }
        XCTAssertEqual(messages("once", "Killing"), ["Container c failed liveness probe"])
        XCTAssertEqual(launcher.argvs.count, 1)
    }

    func testReadinessFollowsAnHTTPProbeWithItsThresholds() throws {
        let healthy = Mutex(false)
        runner.answer { _ in healthy.withLock { $0 } ? HandlerOutcome(success: true, output: "") : .failure("HTTP probe failed with statuscode: 503") }
        try createPod("web", container: ["ports": [["name": "http", "containerPort": 8080]],
                                         "readinessProbe": ["httpGet": ["path": "healthz", "port": "http",
                                                                        "httpHeaders": [["name": "X-Probe", "value": "1"]]],
                                                            "periodSeconds": 5, "successThreshold": 2]])
        waitUntil("probed") { self.runner.calls.withLock { $0.count } == 1 }
        guard case .httpGet(let get) = runner.handlers.first else { return XCTFail("\(runner.handlers)") }
        XCTAssertEqual(get.port, 8080)
        XCTAssertEqual(get.path, "/healthz")
        XCTAssertEqual(get.headers, [.init(name: "X-Probe", value: "1")])
        cluster.settle()
        XCTAssertEqual(ready("web"), "False")
        XCTAssertEqual(status("web")?["started"]?.boolValue, true)
        waitUntil("event") { self.messages("web", "Unhealthy") == ["Readiness probe failed: HTTP probe failed with statuscode: 503"] }
        healthy.withLock { $0 = true }
        cluster.advance(.seconds(5))
        waitUntil("second attempt") { self.runner.calls.withLock { $0.count } == 2 }
        cluster.settle()
        XCTAssertEqual(ready("web"), "False", "successThreshold 2")
        cluster.advance(.seconds(5))
        waitUntil("ready") { self.ready("web") == "True" }
        healthy.withLock { $0 = false }
        for _ in 0..<3 { cluster.advance(.seconds(5)); cluster.settle() }
        waitUntil("unready after three failures") { self.ready("web") == "False" }
        XCTAssertNotNil(status("web")?[path: "state", "running"], "readiness never kills")
    }

    func testAStartupProbeHoldsLivenessAndReadinessBackUntilItSucceeds() throws {
        let up = Mutex(false)
        runner.answer { h in
            if case .tcpSocket = h { return up.withLock { $0 } ? HandlerOutcome(success: true, output: "") : .failure("dial tcp 127.0.0.1:6379: connect: connection refused") }
            return HandlerOutcome(success: true, output: "")
        }
        try createPod("slow", container: ["startupProbe": ["tcpSocket": ["port": 6379], "periodSeconds": 1, "failureThreshold": 30],
                                          "livenessProbe": ["exec": ["command": ["alive"]]],
                                          "readinessProbe": ["exec": ["command": ["ready"]]]])
        waitUntil("startup probed") { self.runner.count(.tcpSocket(host: nil, port: 6379)) == 1 }
        cluster.advance(.seconds(1))
        waitUntil("startup probed again") { self.runner.count(.tcpSocket(host: nil, port: 6379)) == 2 }
        cluster.settle()
        XCTAssertEqual(runner.count(.exec(command: ["alive"])) + runner.count(.exec(command: ["ready"])), 0)
        XCTAssertEqual(status("slow")?["started"]?.boolValue, false)
        XCTAssertEqual(ready("slow"), "False")
        waitUntil("event") { self.messages("slow", "Unhealthy").first == "Startup probe failed: dial tcp 127.0.0.1:6379: connect: connection refused" }
        up.withLock { $0 = true }
        cluster.advance(.seconds(1))
        waitUntil("started and ready") { self.status("slow")?["started"]?.boolValue == true && self.ready("slow") == "True" }
        XCTAssertEqual(runner.count(.exec(command: ["alive"])), 1)
        XCTAssertEqual(runner.count(.tcpSocket(host: nil, port: 6379)), 3, "the startup probe stops once it succeeded")
    }

    func testInitialDelayAndATimeoutOnTheKubeletsClock() throws {
        runner.answer { _ in nil }  // never answers
        try createPod("hang", container: ["readinessProbe": ["exec": ["command": ["sleep", "9"]], "initialDelaySeconds": 5, "timeoutSeconds": 2,
                                                             "periodSeconds": 10]])
        waitUntil("running") { self.status("hang")?[path: "state", "running"] != nil }
        cluster.advance(.seconds(4))
        cluster.settle()
        XCTAssertTrue(runner.handlers.isEmpty, "initialDelaySeconds")
        cluster.advance(.seconds(1))
        waitUntil("probing") { self.runner.handlers.count == 1 }
        cluster.advance(.seconds(1))
        cluster.settle()
        XCTAssertEqual(runner.cancelled.withLock { $0 }, 0)
        cluster.advance(.seconds(1))
        waitUntil("timed out") { self.runner.cancelled.withLock { $0 } == 1 }
        waitUntil("event") { self.messages("hang", "Unhealthy") == ["Readiness probe failed: command \"sleep 9\" timed out"] }
        // A late answer to the cancelled attempt counts for nothing.
        runner.calls.withLock { $0[0] }.completion(HandlerOutcome(success: true, output: ""))
        cluster.settle()
        XCTAssertEqual(ready("hang"), "False")
    }

    func testGRPCProbesCountAsSucceededWithAWarning() throws {
        try createPod("grpc", container: ["readinessProbe": ["grpc": ["port": 9000]]])
        waitUntil("ready") { self.ready("grpc") == "True" }
        waitUntil("warning") { self.messages("grpc", "ProbeWarning").count == 1 }
        XCTAssertTrue(messages("grpc", "ProbeWarning")[0].hasPrefix("Readiness probe warning: gRPC probes are not run"))
        XCTAssertTrue(runner.handlers.isEmpty)
    }

    func testAnUndeclaredNamedPortErrs() throws {
        try createPod("noport", container: ["readinessProbe": ["tcpSocket": ["port": "metrics"]]])
        waitUntil("event") { !self.messages("noport", "Unhealthy").isEmpty }
        XCTAssertEqual(messages("noport", "Unhealthy"), ["Readiness probe errored: couldn't find port: metrics in c"])
        waitUntil("status written") { self.status("noport")?[path: "state", "running"] != nil }
        XCTAssertEqual(ready("noport"), "False")
    }
}

extension ContainerProberTests {
    func testAStartupProbeThatNeverSucceedsKillsTheContainer() throws {
        runner.answer { _ in .failure("") }
        try createPod("never", container: ["startupProbe": ["exec": ["command": ["up"]], "failureThreshold": 2, "periodSeconds": 1]])
        waitUntil("first attempt") { self.runner.handlers.count == 1 }
        cluster.advance(.seconds(1))
        waitUntil("restarted") { self.status("never")?["restartCount"]?.intValue == 1 }
        waitUntil("event") { !self.messages("never", "Killing").isEmpty }
        XCTAssertEqual(messages("never", "Killing"), ["Container c failed startup probe, will be restarted"])
        XCTAssertEqual(messages("never", "Unhealthy").first, "Startup probe failed: ")
    }
}
