import APIMachinery
import Foundation
import KubeliteTesting
import ControllerRuntime
import Registry
@testable import Node
import XCTest

/// The kubelet's lifecycle for pods that run as processes, on a manual clock with a launcher that
/// runs nothing.
final class ProcessPodLifecycleTests: XCTestCase {
    var cluster: NodeTestCluster!
    var launcher: FakeContainerLauncher!
    var root = ""

    func makeCluster(_ mode: PodRuntimeMode = .process, endsOnTerm: Bool = true) throws {
        root = RuntimeTestSupport.temporaryRoot()
        let timers = ManualTimers()
        launcher = FakeContainerLauncher(clock: { timers.now() }, endsOnTerm: endsOnTerm)
        let catalog = ImageCatalog(entries: [ImageCatalogEntry(image: "tool", entrypoint: ["sh"])])
        var options = SimulatedNodeOptions()
        options.podRuntime = mode
        cluster = try NodeTestCluster(options, runtime: ProcessPodRuntime(root: root, catalog: catalog, launcher: launcher), timers: timers)
    }

    override func tearDown() {
        cluster = nil
        try? FileManager.default.removeItem(atPath: root)
    }

    func status(_ pod: String, _ container: String = "c") -> JSON? {
        let p = cluster.pod(pod)
        let all = (p?[path: "status", "initContainerStatuses"]?.arrayValue ?? []) + (p?[path: "status", "containerStatuses"]?.arrayValue ?? [])
        return all.first { $0["name"]?.stringValue == container }
    }

    func pod(_ name: String, restartPolicy: String = "Always", image: String = "tool", inits: [String] = []) -> JSON {
        var spec: JSONObject = ["restartPolicy": .string(restartPolicy), "nodeName": "kubelite-node"]
        if !inits.isEmpty { spec["initContainers"] = .array(inits.map { ["name": .string($0), "image": "tool", "command": .array([.string($0)])] }) }
        return NodeTestCluster.podBody(name, image: image, spec: spec, container: ["name": "c", "command": ["main"]])
    }

    func testAContainerThatKeepsFailingBacksOffTenSecondsDoubling() throws {
        try makeCluster()
        try cluster.createPod(pod("crash"))
        waitUntil("running") { self.status("crash")?[path: "state", "running"] != nil }
        XCTAssertEqual(cluster.pod("crash")?[path: "status", "phase"]?.stringValue, "Running")
        XCTAssertEqual(launcher.argvs, [["main"]])

        launcher.last("main")!.exit(1)
        waitUntil("restarted at once") { self.status("crash")?["restartCount"]?.intValue == 1 && self.status("crash")?[path: "state", "running"] != nil }
        XCTAssertEqual(status("crash")?[path: "lastState", "terminated", "exitCode"]?.intValue, 1)
        XCTAssertEqual(status("crash")?[path: "lastState", "terminated", "reason"]?.stringValue, "Error")

        launcher.last("main")!.exit(2)
        waitUntil("back-off") { self.status("crash")?[path: "state", "waiting", "reason"]?.stringValue == "CrashLoopBackOff" }
        XCTAssertEqual(status("crash")?[path: "state", "waiting", "message"]?.stringValue,
                       "back-off 10s restarting failed container=c pod=crash_default(\(cluster.pod("crash")!.meta.uid))")
        XCTAssertEqual(status("crash")?[path: "lastState", "terminated", "exitCode"]?.intValue, 2)
        XCTAssertEqual(launcher.argvs.count, 2)
        cluster.advance(.seconds(9))
        cluster.settle()
        XCTAssertEqual(launcher.argvs.count, 2, "still backing off")
        cluster.advance(.seconds(1))
        waitUntil("restarted after 10 s") { self.status("crash")?["restartCount"]?.intValue == 2 && self.status("crash")?[path: "state", "running"] != nil }

        launcher.last("main")!.exit(2)
        waitUntil("back-off doubles") {
            self.status("crash")?[path: "state", "waiting", "message"]?.stringValue?.hasPrefix("back-off 20s") == true
        }
    }

    func testInitContainersRunInOrderBeforeTheAppContainer() throws {
        try makeCluster()
        try cluster.createPod(pod("init", inits: ["first", "second"]))
        waitUntil("first runs") { self.launcher.argvs == [["first"]] }
        XCTAssertEqual(cluster.pod("init")?[path: "status", "phase"]?.stringValue, "Pending")
        launcher.last("first")!.exit(0)
        waitUntil("second runs") { self.launcher.argvs == [["first"], ["second"]] }
        launcher.last("second")!.exit(0)
        waitUntil("app runs") { self.launcher.argvs.last == ["main"] && self.cluster.pod("init")?[path: "status", "phase"]?.stringValue == "Running" }
        XCTAssertEqual(status("init", "first")?[path: "state", "terminated", "reason"]?.stringValue, "Completed")
    }

    func testNeverRestartedContainerEndsThePodWithItsExitCode() throws {
        try makeCluster()
        try cluster.createPod(pod("once", restartPolicy: "Never"))
        waitUntil("running") { self.launcher.argvs == [["main"]] }
        launcher.last("main")!.exit(3)
        waitUntil("failed") { self.cluster.pod("once")?[path: "status", "phase"]?.stringValue == "Failed" }
        XCTAssertEqual(status("once")?[path: "state", "terminated", "exitCode"]?.intValue, 3)
        XCTAssertEqual(status("once")?[path: "state", "terminated", "reason"]?.stringValue, "Error")
        cluster.advance(.seconds(60))
        cluster.settle()
        XCTAssertEqual(launcher.argvs.count, 1)
    }

    func testAnImageOutsideTheCatalogCannotBePulledInProcessMode() throws {
        try makeCluster()
        try cluster.createPod(pod("nopull", image: "quay.io/nothing:1"))
        waitUntil("ErrImagePull") { self.status("nopull")?[path: "state", "waiting", "reason"]?.stringValue == "ErrImagePull" }
        XCTAssertTrue(status("nopull")?[path: "state", "waiting", "message"]?.stringValue?.contains("not in Kubelite's image catalog") == true)
        cluster.advance(.seconds(10))
        waitUntil("ImagePullBackOff") { self.status("nopull")?[path: "state", "waiting", "reason"]?.stringValue == "ImagePullBackOff" }
        XCTAssertEqual(status("nopull")?[path: "state", "waiting", "message"]?.stringValue, "Back-off pulling image \"quay.io/nothing:1\"")
        XCTAssertEqual(cluster.pod("nopull")?[path: "status", "phase"]?.stringValue, "Pending")
    }

    func testAutoModeSimulatesPodsItCannotRunAndSaysSo() throws {
        try makeCluster(.auto)
        try cluster.createPod(pod("sim", image: "quay.io/nothing:1"))
        waitUntil("simulated running") { self.cluster.pod("sim")?[path: "status", "phase"]?.stringValue == "Running" }
        XCTAssertTrue(launcher.argvs.isEmpty)
        let event = cluster.events(about: "sim").first { $0["reason"]?.stringValue == "Simulated" }
        XCTAssertEqual(event?["message"]?.stringValue?.hasPrefix("Kubelite simulates this pod: Failed to pull image"), true)
        try cluster.createPod(pod("real"))
        waitUntil("real running") { self.launcher.argvs == [["main"]] }
    }

    func testDeletionSendsSIGTERMAndRemovesThePodWhenItsProcessesEnd() throws {
        try makeCluster()
        try cluster.createPod(pod("del"))
        waitUntil("running") { self.status("del")?[path: "state", "running"] != nil }
        _ = try cluster.store("pods").delete(namespace: "default", name: "del", options: DeleteOptions())
        waitUntil("gone") { self.cluster.pod("del") == nil }
        XCTAssertEqual(launcher.last("main")?.signals.withLock { $0 }, [SIGTERM])
    }

    func testAContainerIgnoringSIGTERMIsKilledAfterTheGracePeriod() throws {
        try makeCluster(endsOnTerm: false)
        try cluster.createPod(pod("stubborn"))
        waitUntil("running") { self.status("stubborn")?[path: "state", "running"] != nil }
        _ = try cluster.store("pods").delete(namespace: "default", name: "stubborn", options: DeleteOptions())
        waitUntil("SIGTERM") { self.launcher.last("main")?.signals.withLock { $0 } == [SIGTERM] }
        cluster.settle()
        XCTAssertNotNil(cluster.pod("stubborn"), "waits for the 30 s grace period")
        cluster.advance(.seconds(30))
        waitUntil("gone") { self.cluster.pod("stubborn") == nil }
        XCTAssertEqual(launcher.last("main")?.signals.withLock { $0 }, [SIGTERM, SIGKILL])
    }
}

extension ProcessPodLifecycleTests {
    func testTheReadyAnnotationMakesRunningProcessesUnready() throws {
        try makeCluster()
        try cluster.createPod(pod("steer"))
        waitUntil("ready") { NodeTestCluster.condition(self.cluster.pod("steer"), "Ready")?["status"]?.stringValue == "True" }
        try cluster.patchPod("steer", ["metadata": ["annotations": [KubeletSimulator.readyAnnotation: "false"]]])
        waitUntil("unready") { NodeTestCluster.condition(self.cluster.pod("steer"), "Ready")?["status"]?.stringValue == "False" }
        XCTAssertEqual(status("steer")?["ready"]?.boolValue, false)
        XCTAssertNotNil(status("steer")?[path: "state", "running"])
        XCTAssertEqual(launcher.argvs.count, 1, "the process keeps running")
    }
}

extension ProcessPodLifecycleTests {
    func testADeletedVolumesDirectoryGoesOnlyWithReclaimPolicyDelete() throws {
        try makeCluster()
        for (name, policy) in [("pv-delete", "Delete"), ("pv-retain", "Retain")] {
            let dir = ProcessPodVolumes.volumeDirectory(root: root, pv: name)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let pv: JSON = ["apiVersion": "v1", "kind": "PersistentVolume", "metadata": ["name": .string(name)],
                            "spec": ["capacity": ["storage": "1Gi"], "accessModes": ["ReadWriteOnce"], "hostPath": ["path": "/tmp/x"],
                                     "persistentVolumeReclaimPolicy": .string(policy)]]
            _ = try cluster.store("persistentvolumes").create(namespace: "", body: RequestBody(value: pv), options: WriteOptions())
            _ = try cluster.store("persistentvolumes").delete(namespace: "", name: name, options: DeleteOptions())
            // No protection controller runs here to lift pv-protection once the volume is unused.
            if (try? cluster.store("persistentvolumes").get(namespace: "", name: name)) != nil {
                _ = try cluster.store("persistentvolumes").patch(namespace: "", name: name, type: .merge,
                                                                 patch: RequestBody(value: ["metadata": ["finalizers": nil]]), options: WriteOptions())
            }
        }
        waitUntil("the Delete volume's directory is gone") {
            !FileManager.default.fileExists(atPath: ProcessPodVolumes.volumeDirectory(root: self.root, pv: "pv-delete"))
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: ProcessPodVolumes.volumeDirectory(root: root, pv: "pv-retain")))
    }

    func testAfterKubeliteRestartsARunningPodStartsAgainWithItsRestartCountMoved() throws {
        try makeCluster()
        try cluster.createPod(pod("again"))
        waitUntil("running") { self.status("again")?[path: "state", "running"] != nil }
        // A new kubelet and runtime over the same cluster, as after a crash.
        let timers = cluster.timers
        let next = FakeContainerLauncher(clock: { timers.now() })
        var options = SimulatedNodeOptions()
        options.podRuntime = .process
        let kubelet = KubeletSimulator(options: options, runtime: ProcessPodRuntime(root: root, catalog: ImageCatalog(entries: [ImageCatalogEntry(image: "tool", entrypoint: ["sh"])]), launcher: next))
        for c in cluster.controllers { if let k = c as? KubeletSimulator { k.queue.shutDown() } }
        ControllerManager.start([kubelet], context: cluster.context)
        // The shared informer has listed already; a change shows the pod to the new handler.
        try cluster.patchPod("again", ["metadata": ["labels": ["poke": "1"]]])
        waitUntil("restarted") { next.argvs == [["main"]] && self.status("again")?["restartCount"]?.intValue == 1 }
    }
}

extension ProcessPodLifecycleTests {
    func testThePhaseAnnotationEndsARealPodAndItsProcesses() throws {
        try makeCluster()
        try cluster.createPod(pod("ended"))
        waitUntil("running") { self.status("ended")?[path: "state", "running"] != nil }
        try cluster.patchPod("ended", ["metadata": ["annotations": [KubeletSimulator.phaseAnnotation: "Failed"]]])
        waitUntil("failed") { self.cluster.pod("ended")?[path: "status", "phase"]?.stringValue == "Failed" }
        XCTAssertEqual(status("ended")?[path: "state", "terminated", "exitCode"]?.intValue, 1)
        XCTAssertEqual(launcher.last("main")?.signals.withLock { $0 }, [SIGKILL])
        cluster.settle()
        XCTAssertEqual(launcher.argvs.count, 1, "not restarted")
    }
}

extension ProcessPodLifecycleTests {
    func testAutoModeWithoutARuntimeSimulatesEveryPodAndSaysWhy() throws {
        var options = SimulatedNodeOptions()
        options.podRuntime = .auto
        cluster = try NodeTestCluster(options)
        try cluster.createPod(pod("plain"))
        waitUntil("running") { self.cluster.pod("plain")?[path: "status", "phase"]?.stringValue == "Running" }
        let event = cluster.events(about: "plain").first { $0["reason"]?.stringValue == "Simulated" }
        XCTAssertEqual(event?["message"]?.stringValue?.hasPrefix("Kubelite simulates this pod: this machine cannot run pods"), true)
    }
}

extension ProcessPodLifecycleTests {
    func testASidecarInitContainerKeepsRunningBesideTheAppContainer() throws {
        try makeCluster()
        var body = pod("side", inits: ["setup"])
        body[path: "spec", "initContainers"] = [["name": "proxy", "image": "tool", "command": ["proxy"], "restartPolicy": "Always"],
                                                ["name": "setup", "image": "tool", "command": ["setup"]]]
        try cluster.createPod(body)
        waitUntil("setup runs after the sidecar started") { self.launcher.argvs == [["proxy"], ["setup"]] }
        launcher.last("setup")!.exit(0)
        waitUntil("app runs") { self.launcher.argvs.last == ["main"] && self.cluster.pod("side")?[path: "status", "phase"]?.stringValue == "Running" }
        XCTAssertNotNil(status("side", "proxy")?[path: "state", "running"])
        launcher.last("proxy")!.exit(1)
        waitUntil("the sidecar restarts") { self.status("side", "proxy")?["restartCount"]?.intValue == 1 }
    }
}
