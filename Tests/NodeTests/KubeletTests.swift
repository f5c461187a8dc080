import APIMachinery
import ControllerRuntime
import Foundation
import KubeliteTesting
@testable import Node
import Registry
import XCTest

final class KubeletTests: XCTestCase {
    func isRunning(_ pod: JSON?) -> Bool { pod?[path: "status", "phase"] == "Running" }
    func isReady(_ pod: JSON?) -> Bool { NodeTestCluster.condition(pod, "Ready")?["status"] == "True" }

    func testBoundPodRunsAtOnceWithUpstreamStatus() throws {
        let cluster = try NodeTestCluster()
        try cluster.createPod(NodeTestCluster.podBody("web-0"))
        waitUntil("running and ready") { isRunning(cluster.pod("web-0")) && isReady(cluster.pod("web-0")) }
        let pod = try XCTUnwrap(cluster.pod("web-0"))
        let status = try XCTUnwrap(pod["status"])
        let now = Timestamp.format(cluster.timers.now())
        XCTAssertEqual(status["hostIP"], "172.18.0.2")
        XCTAssertEqual(status["hostIPs"], [["ip": "172.18.0.2"]])
        let podIP = try XCTUnwrap(status["podIP"]?.stringValue)
        XCTAssertTrue(podIP.hasPrefix("10.244.0."), podIP)
        XCTAssertEqual(status["podIPs"], [["ip": .string(podIP)]])
        XCTAssertEqual(status["startTime"], .string(now))
        XCTAssertEqual(status["qosClass"], "BestEffort")
        let conditions = status["conditions"]?.arrayValue ?? []
        XCTAssertEqual(conditions.compactMap { $0["type"]?.stringValue },
                       ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"])
        XCTAssertTrue(conditions.allSatisfy { $0["status"] == "True" && ($0["lastProbeTime"] ?? .null) == .null }, "\(conditions)")
        let container = try XCTUnwrap(status["containerStatuses"]?.arrayValue?.first)
        XCTAssertEqual(container["name"], "redis")
        XCTAssertEqual(container["ready"], true)
        XCTAssertEqual(container["started"], true)
        XCTAssertEqual(container["restartCount"], 0)
        XCTAssertEqual(container["image"], "docker.io/library/redis:5-alpine")
        XCTAssertTrue(container["imageID"]?.stringValue?.hasPrefix("docker.io/library/redis@sha256:") == true)
        let containerID = try XCTUnwrap(container["containerID"]?.stringValue)
        XCTAssertTrue(containerID.hasPrefix("kubelite://"))
        XCTAssertEqual(containerID.count, "kubelite://".count + 64)
        XCTAssertEqual(container[path: "state", "running", "startedAt"], .string(now))
        XCTAssertEqual(container["lastState"], [:])
        XCTAssertEqual(container["volumeMounts"]?.arrayValue?.first?["readOnly"], true)
        XCTAssertEqual(container["volumeMounts"]?.arrayValue?.first?["recursiveReadOnly"], "Disabled")
    }

    func testKubeletEventsInUpstreamWording() throws {
        let cluster = try NodeTestCluster()
        try cluster.createPod(NodeTestCluster.podBody("web-0"))
        waitUntil("Started event") { cluster.eventReasons(about: "web-0").contains("Started") }
        let events = cluster.events(about: "web-0").filter { $0[path: "source", "component"] == "kubelet" }
        let byReason = Dictionary(events.map { ($0["reason"]?.stringValue ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(byReason["Pulled"]?["message"], "Container image \"redis:5-alpine\" already present on machine")
        XCTAssertEqual(byReason["Created"]?["message"], "Created container: redis")
        XCTAssertEqual(byReason["Started"]?["message"], "Started container redis")
        XCTAssertEqual(byReason["Started"]?[path: "involvedObject", "fieldPath"], "spec.containers{redis}")
        XCTAssertEqual(byReason["Started"]?[path: "source", "host"], "kubelite-node")
        XCTAssertEqual(Set(events.compactMap { $0["reason"]?.stringValue }), ["Pulled", "Created", "Started"])
    }

    func testPodStartDelayShowsContainerCreatingThenRuns() throws {
        let cluster = try NodeTestCluster(SimulatedNodeOptions(podStartDelay: .seconds(5)))
        try cluster.createPod(NodeTestCluster.podBody("slow"))
        waitUntil("admitted") { cluster.pod("slow")?[path: "status", "hostIP"] != nil }
        var pod = cluster.pod("slow")
        XCTAssertEqual(pod?[path: "status", "phase"], "Pending")
        XCTAssertEqual(pod?[path: "status", "containerStatuses"]?.arrayValue?.first?[path: "state", "waiting", "reason"], "ContainerCreating")
        XCTAssertEqual(NodeTestCluster.condition(pod, "PodReadyToStartContainers")?["status"], "False")
        XCTAssertEqual(NodeTestCluster.condition(pod, "Ready")?["message"], "containers with unready status: [redis]")
        XCTAssertNil(pod?[path: "status", "podIP"])
        cluster.advance(.seconds(4))
        cluster.settle()
        XCTAssertEqual(cluster.pod("slow")?[path: "status", "phase"], "Pending")
        cluster.advance(.seconds(1))
        waitUntil("running after the delay") { isRunning(cluster.pod("slow")) }
        pod = cluster.pod("slow")
        XCTAssertEqual(pod?[path: "status", "containerStatuses"]?.arrayValue?.first?[path: "state", "running", "startedAt"],
                       .string(Timestamp.format(cluster.timers.now())))
        XCTAssertNotNil(pod?[path: "status", "podIP"])
    }

    func testReadinessProbeInitialDelayHoldsReady() throws {
        let cluster = try NodeTestCluster()
        try cluster.createPod(NodeTestCluster.podBody("probed", container: [
            "readinessProbe": ["tcpSocket": ["port": 6379], "initialDelaySeconds": 15],
        ]))
        waitUntil("running") { isRunning(cluster.pod("probed")) }
        var pod = cluster.pod("probed")
        XCTAssertFalse(isReady(pod))
        XCTAssertEqual(NodeTestCluster.condition(pod, "ContainersReady")?["reason"], "ContainersNotReady")
        XCTAssertEqual(pod?[path: "status", "containerStatuses"]?.arrayValue?.first?["started"], true)
        cluster.advance(.seconds(14))
        cluster.settle()
        XCTAssertFalse(isReady(cluster.pod("probed")))
        cluster.advance(.seconds(1))
        waitUntil("ready after initialDelaySeconds") { isReady(cluster.pod("probed")) }
        pod = cluster.pod("probed")
        XCTAssertEqual(NodeTestCluster.condition(pod, "Ready")?["lastTransitionTime"], .string(Timestamp.format(cluster.timers.now())))
    }

    func testStartupProbeDelaysStartedAndReadiness() throws {
        let cluster = try NodeTestCluster()
        try cluster.createPod(NodeTestCluster.podBody("slowstart", container: [
            "startupProbe": ["exec": ["command": ["true"]], "initialDelaySeconds": 5],
        ]))
        waitUntil("running") { isRunning(cluster.pod("slowstart")) }
        XCTAssertEqual(cluster.pod("slowstart")?[path: "status", "containerStatuses"]?.arrayValue?.first?["started"], false)
        cluster.advance(.seconds(5))
        waitUntil("started and ready") { isReady(cluster.pod("slowstart")) }
        XCTAssertEqual(cluster.pod("slowstart")?[path: "status", "containerStatuses"]?.arrayValue?.first?["started"], true)
    }

    func testUnreadyAnnotationHoldsPodUnreadyUntilRemoved() throws {
        let cluster = try NodeTestCluster()
        try cluster.createPod(NodeTestCluster.podBody("held", annotations: [KubeletSimulator.readyAnnotation: "false"]))
        waitUntil("running") { isRunning(cluster.pod("held")) }
        var pod = cluster.pod("held")
        XCTAssertFalse(isReady(pod))
        XCTAssertEqual(NodeTestCluster.condition(pod, "Ready")?["reason"], "ContainersNotReady")
        XCTAssertEqual(NodeTestCluster.condition(pod, "Ready")?["message"], "containers with unready status: [redis]")
        XCTAssertEqual(pod?[path: "status", "containerStatuses"]?.arrayValue?.first?["ready"], false)
        try cluster.patchPod("held", ["metadata": ["annotations": [KubeletSimulator.readyAnnotation: nil]]])
        waitUntil("ready after the annotation goes") { isReady(cluster.pod("held")) }
        try cluster.patchPod("held", ["metadata": ["annotations": [KubeletSimulator.readyAnnotation: "false"]]])
        waitUntil("unready again") { !isReady(cluster.pod("held")) }
        pod = cluster.pod("held")
        XCTAssertEqual(pod?[path: "status", "phase"], "Running")
    }

    func testPhaseAnnotationFailsThePod() throws {
        let cluster = try NodeTestCluster()
        try cluster.createPod(NodeTestCluster.podBody("doomed"))
        waitUntil("running") { isRunning(cluster.pod("doomed")) }
        try cluster.patchPod("doomed", ["metadata": ["annotations": [KubeletSimulator.phaseAnnotation: "Failed"]]])
        waitUntil("failed") { cluster.pod("doomed")?[path: "status", "phase"] == "Failed" }
        let pod = cluster.pod("doomed")
        let terminated = pod?[path: "status", "containerStatuses"]?.arrayValue?.first?[path: "state", "terminated"]
        XCTAssertEqual(terminated?["exitCode"], 1)
        XCTAssertEqual(terminated?["reason"], "Error")
        XCTAssertEqual(NodeTestCluster.condition(pod, "Ready")?["reason"], "PodFailed")
        XCTAssertEqual(NodeTestCluster.condition(pod, "PodReadyToStartContainers")?["status"], "False")
        waitUntil("address released") { cluster.kubelet.allocatedAddresses(on: "kubelite-node") == 0 }
    }

    func testPhaseAnnotationSucceeded() throws {
        let cluster = try NodeTestCluster()
        try cluster.createPod(NodeTestCluster.podBody("job", annotations: [KubeletSimulator.phaseAnnotation: "Succeeded"]))
        waitUntil("succeeded") { cluster.pod("job")?[path: "status", "phase"] == "Succeeded" }
        let terminated = cluster.pod("job")?[path: "status", "containerStatuses"]?.arrayValue?.first?[path: "state", "terminated"]
        XCTAssertEqual(terminated?["exitCode"], 0)
        XCTAssertEqual(terminated?["reason"], "Completed")
        XCTAssertEqual(NodeTestCluster.condition(cluster.pod("job"), "Ready")?["reason"], "PodCompleted")
    }

    func testInitContainersCompleteFirst() throws {
        let cluster = try NodeTestCluster(SimulatedNodeOptions(podStartDelay: .seconds(2)))
        try cluster.createPod(NodeTestCluster.podBody("init", spec: ["initContainers": [["name": "setup", "image": "busybox"]]]))
        waitUntil("admitted") { cluster.pod("init")?[path: "status", "hostIP"] != nil }
        var pod = cluster.pod("init")
        XCTAssertEqual(NodeTestCluster.condition(pod, "Initialized")?["reason"], "ContainersNotInitialized")
        XCTAssertEqual(NodeTestCluster.condition(pod, "Initialized")?["message"], "containers with incomplete status: [setup]")
        XCTAssertEqual(pod?[path: "status", "containerStatuses"]?.arrayValue?.first?[path: "state", "waiting", "reason"], "PodInitializing")
        cluster.advance(.seconds(2))
        waitUntil("running") { isRunning(cluster.pod("init")) }
        pod = cluster.pod("init")
        let initStatus = pod?[path: "status", "initContainerStatuses"]?.arrayValue?.first
        XCTAssertEqual(initStatus?[path: "state", "terminated", "reason"], "Completed")
        XCTAssertEqual(initStatus?[path: "state", "terminated", "exitCode"], 0)
        XCTAssertEqual(initStatus?["image"], "docker.io/library/busybox:latest")
        XCTAssertEqual(NodeTestCluster.condition(pod, "Initialized")?["status"], "True")
        waitUntil("events") { cluster.events(about: "init").contains { $0["message"] == "Started container setup" } }
        let started = cluster.events(about: "init").first { $0["message"] == "Started container setup" }
        XCTAssertEqual(started?[path: "involvedObject", "fieldPath"], "spec.initContainers{setup}")
    }

    func testPodIPsAreUniqueAcrossPods() throws {
        let cluster = try NodeTestCluster(SimulatedNodeOptions(nodes: 2))
        for i in 0..<12 { try cluster.createPod(NodeTestCluster.podBody("p\(i)")) }
        waitUntil("all running") { (0..<12).allSatisfy { self.isRunning(cluster.pod("p\($0)")) } }
        let pods = (0..<12).compactMap { cluster.pod("p\($0)") }
        let ips = pods.compactMap { $0[path: "status", "podIP"]?.stringValue }
        XCTAssertEqual(ips.count, 12)
        XCTAssertEqual(Set(ips).count, 12)
        for pod in pods {
            let ip = pod[path: "status", "podIP"]?.stringValue ?? ""
            let node = pod[path: "spec", "nodeName"]?.stringValue
            XCTAssertTrue(ip.hasPrefix(node == "kubelite-node-1" ? "10.244.0." : "10.244.1."), "\(ip) on \(node ?? "")")
        }
    }

    func testHostNetworkPodUsesNodeAddress() throws {
        let cluster = try NodeTestCluster()
        try cluster.createPod(NodeTestCluster.podBody("host", spec: ["hostNetwork": true]))
        waitUntil("running") { isRunning(cluster.pod("host")) }
        XCTAssertEqual(cluster.pod("host")?[path: "status", "podIP"], "172.18.0.2")
    }

    func testImageNormalization() {
        XCTAssertEqual(KubeletPodStatus.normalizedImage("redis:5-alpine"), "docker.io/library/redis:5-alpine")
        XCTAssertEqual(KubeletPodStatus.normalizedImage("bitnami/redis"), "docker.io/bitnami/redis:latest")
        XCTAssertEqual(KubeletPodStatus.normalizedImage("registry.k8s.io/pause:3.10"), "registry.k8s.io/pause:3.10")
        XCTAssertEqual(KubeletPodStatus.normalizedImage("localhost:5000/app"), "localhost:5000/app:latest")
        XCTAssertTrue(KubeletPodStatus.imageID("localhost:5000/app").hasPrefix("localhost:5000/app@sha256:"))
    }

    func testPodIPAllocatorRoundRobinAndReserve() {
        var allocator = PodIPAllocator(cidr: "10.244.3.0/24")
        XCTAssertEqual(allocator.allocate("a"), "10.244.3.2")
        XCTAssertEqual(allocator.allocate("b"), "10.244.3.3")
        XCTAssertEqual(allocator.allocate("a"), "10.244.3.2")
        allocator.release("a")
        XCTAssertEqual(allocator.allocate("c"), "10.244.3.4")
        XCTAssertTrue(allocator.reserve("10.244.3.9", for: "d"))
        XCTAssertFalse(allocator.reserve("10.244.3.9", for: "e"))
        XCTAssertFalse(allocator.reserve("10.9.0.1", for: "e"))
        for i in 0..<250 { XCTAssertNotNil(allocator.allocate("x\(i)")) }
        XCTAssertNil(allocator.allocate("overflow"))
    }
}
