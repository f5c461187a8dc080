import APIMachinery
import Foundation
import KubeliteTesting
@testable import Node
import Registry
import Synchronization
import XCTest

/// Pods that really run (root and Linux namespaces needed): the kubelet with the process runtime,
/// reached through the node's PodConnection as the API server's exec and log endpoints reach it.
final class ProcessPodTests: XCTestCase {
    var cluster: NodeTestCluster!
    var runtime: ProcessPodRuntime!
    var connection: NodePodConnection!
    var root = ""

    override func setUpWithError() throws {
        try RuntimeTestSupport.requireNamespaces()
        root = RuntimeTestSupport.temporaryRoot()
        runtime = ProcessPodRuntime(root: root)
        var options = SimulatedNodeOptions()
        options.podRuntime = .auto
        cluster = try NodeTestCluster(options, runtime: runtime)
        connection = NodePodConnection(runtime: runtime, registry: cluster.registry)
    }

    override func tearDown() {
        runtime?.stopAll()
        cluster = nil
        try? FileManager.default.removeItem(atPath: root)
    }

    func runPod(_ name: String, image: String = "busybox", command: [String], spec: JSONObject = [:], container: JSONObject = [:]) throws {
        var extra = container
        extra["command"] = .array(command.map { .string($0) })
        var s = spec
        s["nodeName"] = "kubelite-node"
        try cluster.createPod(NodeTestCluster.podBody(name, image: image, spec: s, container: extra))
        waitUntil("\(name) runs", timeout: 10) {
            self.cluster.pod(name)?[path: "status", "containerStatuses", ]?.arrayValue?.first?[path: "state", "running"] != nil
        }
    }

    /// Runs an exec to its end: (stdout, stderr, exit).
    func exec(_ pod: String, _ command: [String], stdin: String? = nil) throws -> (String, String, ContainerExit) {
        let session = try connection.exec(namespace: "default", pod: pod, options: PodExecOptions(command: command, stdin: stdin != nil))
        let out = Mutex<[UInt8]>([]), err = Mutex<[UInt8]>([]), end = Mutex<ContainerExit?>(nil)
        session.start(output: { stream, bytes in
            if stream == .stdout { out.withLock { $0 += bytes } } else { err.withLock { $0 += bytes } }
        }, exit: { e in end.withLock { $0 = e } })
        if let stdin { session.writeStdin(Array(stdin.utf8)); session.closeStdin() }
        waitUntil("exec \(command) ends", timeout: 10) { end.withLock { $0 != nil } }
        return (String(decoding: out.withLock { $0 }, as: UTF8.self), String(decoding: err.withLock { $0 }, as: UTF8.self), end.withLock { $0! })
    }

    func logs(_ pod: String, _ options: PodLogOptions = PodLogOptions()) throws -> String {
        let stream = try connection.logs(namespace: "default", pod: pod, options: options)
        let text = Mutex<[UInt8]>([]), ended = Mutex(false)
        stream.start(chunk: { bytes in text.withLock { $0 += bytes }; return true }, end: { ended.withLock { $0 = true } })
        waitUntil("log read", timeout: 10) { ended.withLock { $0 } }
        return String(decoding: text.withLock { $0 }, as: UTF8.self)
    }

    func testExecRunsInThePodsNamespacesWithItsHostnameAndExitCodes() throws {
        try runPod("redis-sts-0", command: ["sleep", "300"], spec: ["hostname": "redis-sts-0"])
        let (out, _, exit) = try exec("redis-sts-0", ["hostname"])
        XCTAssertEqual(out, "redis-sts-0\n")
        XCTAssertEqual(exit, .exited(code: 0))
        XCTAssertEqual(try exec("redis-sts-0", ["sh", "-c", "exit 3"]).2, .exited(code: 3))
        XCTAssertEqual(try exec("redis-sts-0", ["cat"], stdin: "typed\n").0, "typed\n")
        let (_, err, missing) = try exec("redis-sts-0", ["nosuch"])
        XCTAssertEqual(missing, .exited(code: 127))
        XCTAssertTrue(err.contains("exec: \"nosuch\": executable file not found in $PATH"), err)
        XCTAssertThrowsError(try connection.exec(namespace: "default", pod: "redis-sts-0", options: PodExecOptions(container: "other", command: ["true"]))) {
            XCTAssertEqual(($0 as? APIError)?.message, "container other is not valid for pod redis-sts-0")
        }
    }

    func testLogsAreKeptAsTheKubeletKeepsThem() throws {
        try runPod("talker", command: ["sh", "-c", "echo one; echo two; echo err >&2; echo three; sleep 300"])
        // stdout and stderr are read apart, so only each stream's own order is certain.
        waitUntil("written", timeout: 10) { (try? self.logs("talker"))?.split(separator: "\n").count == 4 }
        XCTAssertEqual(try logs("talker").split(separator: "\n").filter { $0 != "err" }, ["one", "two", "three"])
        XCTAssertEqual(try logs("talker", PodLogOptions(tailLines: 4)).split(separator: "\n").sorted(), ["err", "one", "three", "two"])
        XCTAssertEqual(try logs("talker", PodLogOptions(limitBytes: 6)).count, 6)
        let stamped = try logs("talker", PodLogOptions(timestamps: true))
        XCTAssertTrue(stamped.split(separator: "\n").allSatisfy { ["one", "two", "three", "err"].contains($0.split(separator: " ").last ?? "") && $0.contains("Z ") }, stamped)
        XCTAssertThrowsError(try connection.logs(namespace: "default", pod: "talker", options: PodLogOptions(previous: true))) {
            XCTAssertEqual(($0 as? APIError)?.message, "previous terminated container \"redis\" in pod \"talker\" not found")
        }
    }

    func testTwoRedisPodsBothListenOn6379() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server"), "needs the Debian package redis-server")
        try runPod("redis-a", image: "redis:7", command: [])
        try runPod("redis-b", image: "redis:7", command: [])
        for pod in ["redis-a", "redis-b"] {
            waitUntil("\(pod) answers", timeout: 10) { (try? self.exec(pod, ["redis-cli", "ping"]).0) == "PONG\n" }
        }
        XCTAssertEqual(try exec("redis-a", ["pwd"]).0, "/data\n")
        XCTAssertEqual(try exec("redis-a", ["redis-cli", "set", "k", "a"]).0, "OK\n")
        XCTAssertEqual(try exec("redis-b", ["redis-cli", "get", "k"]).0, "\n", "each pod has its own Redis")
    }

    func testAPersistentVolumesDirectoryOutlivesThePod() throws {
        let claim: JSON = ["apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "data"],
                           "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]], "volumeName": "pv-data"]]
        _ = try cluster.store("persistentvolumeclaims").create(namespace: "default", body: RequestBody(value: claim), options: WriteOptions())
        let mountPath = "\(root)/mnt/data"
        try runPod("writer", command: ["sh", "-c", "echo kept > \(mountPath)/key; sleep 300"],
                   spec: ["volumes": [["name": "data", "persistentVolumeClaim": ["claimName": "data"]]]],
                   container: ["volumeMounts": [["name": "data", "mountPath": .string(mountPath)]]])
        let file = "\(root)/volumes/pv-data/key"
        waitUntil("written", timeout: 10) { FileManager.default.fileExists(atPath: file) }
        _ = try cluster.store("pods").delete(namespace: "default", name: "writer", options: DeleteOptions())
        waitUntil("pod gone", timeout: 10) { self.cluster.pod("writer") == nil }
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "kept\n")
        XCTAssertTrue(ProcFS.processes(withEnvironment: PodSandbox.markerVariable, value: root).isEmpty)
    }

    func testSimulatedPodsSaySoForExecAndLogs() throws {
        try cluster.createPod(NodeTestCluster.podBody("sim", image: "quay.io/unknown/image:1", spec: ["nodeName": "kubelite-node"]))
        waitUntil("running") { self.cluster.pod("sim")?[path: "status", "phase"]?.stringValue == "Running" }
        XCTAssertThrowsError(try connection.exec(namespace: "default", pod: "sim", options: PodExecOptions(command: ["true"]))) {
            XCTAssertEqual(($0 as? APIError)?.code, 400)
            XCTAssertEqual(($0 as? APIError)?.message, "pod sim is simulated by Kubelite: it has no processes to run a command in or attach to")
        }
        XCTAssertEqual(try logs("sim"), "Pod default/sim is simulated by Kubelite: its containers run no processes, so they write no log.\n")
        XCTAssertThrowsError(try connection.logs(namespace: "default", pod: "nosuch", options: PodLogOptions())) {
            XCTAssertEqual(($0 as? APIError)?.code, 404)
        }
    }

    func testNothingOutlivesTheRuntimeAndLeftoversAreEndedAtTheNextStart() throws {
        try runPod("left", command: ["sleep", "300"])
        XCTAssertGreaterThanOrEqual(ProcFS.processes(withEnvironment: PodSandbox.markerVariable, value: root).count, 2)
        // A crashed Kubelite: a new runtime under the same root finds what the old one left.
        let next = ProcessPodRuntime(root: root)
        XCTAssertGreaterThanOrEqual(next.removeLeftovers(), 2)
        waitUntil("no process left", timeout: 10) { ProcFS.processes(withEnvironment: PodSandbox.markerVariable, value: self.root).isEmpty }
        waitUntil("the container's end is seen", timeout: 10) { !self.runtime.isRunning(uid: self.cluster.pod("left")!.meta.uid, container: "redis", restartCount: 0) }
    }

    func testStopAllEndsEveryPod() throws {
        try runPod("one", command: ["sleep", "300"])
        try runPod("two", command: ["sleep", "300"])
        runtime.stopAll()
        XCTAssertTrue(ProcFS.processes(withEnvironment: PodSandbox.markerVariable, value: root).isEmpty)
    }
}

extension ProcessPodTests {
    func testExecWithATerminalResizes() throws {
        try runPod("term", command: ["sleep", "300"])
        let session = try connection.exec(namespace: "default", pod: "term",
                                          options: PodExecOptions(command: ["sh", "-c", "tty; read x; stty size"], stdin: true, stderr: false, tty: true))
        let out = Mutex<[UInt8]>([]), end = Mutex<ContainerExit?>(nil)
        session.start(output: { _, bytes in out.withLock { $0 += bytes } }, exit: { e in end.withLock { $0 = e } })
        waitUntil("tty printed", timeout: 10) { String(decoding: out.withLock { $0 }, as: UTF8.self).contains("/dev/pts/") }
        session.resize(width: 100, height: 40)
        session.writeStdin(Array("go\r".utf8))
        waitUntil("exec ends", timeout: 10) { end.withLock { $0 != nil } }
        XCTAssertEqual(end.withLock { $0 }, .exited(code: 0))
        XCTAssertTrue(String(decoding: out.withLock { $0 }, as: UTF8.self).contains("40 100"), String(decoding: out.withLock { $0 }, as: UTF8.self))
    }

    func testFollowingALogEndsWithTheContainer() throws {
        try runPod("brief", command: ["sh", "-c", "echo a; sleep 0.5; echo b"], spec: ["restartPolicy": "Never"])
        let stream = try connection.logs(namespace: "default", pod: "brief", options: PodLogOptions(follow: true))
        let text = Mutex<[UInt8]>([]), ended = Mutex(false)
        stream.start(chunk: { bytes in text.withLock { $0 += bytes }; return true }, end: { ended.withLock { $0 = true } })
        waitUntil("the follower ends with the container", timeout: 10) { ended.withLock { $0 } }
        XCTAssertEqual(String(decoding: text.withLock { $0 }, as: UTF8.self), "a\nb\n")
    }
}

extension ProcessPodTests {
    func testAnExecReadinessProbeDecidesReadiness() throws {
        // The flag reaches the pod through a hostPath volume (the pod's root is its own).
        let flags = "\(root)/flags"
        try FileManager.default.createDirectory(atPath: flags, withIntermediateDirectories: true)
        let flag = "\(flags)/ready-flag"
        let probe: JSON = ["exec": ["command": ["test", "-f", "/flags/ready-flag"]], "periodSeconds": 5]
        try runPod("probed", command: ["sleep", "300"],
                   spec: ["volumes": [["name": "flags", "hostPath": ["path": .string(flags)]]]],
                   container: ["readinessProbe": probe, "volumeMounts": [["name": "flags", "mountPath": "/flags"]]])
        func ready() -> String? { NodeTestCluster.condition(self.cluster.pod("probed"), "Ready")?["status"]?.stringValue }
        waitUntil("probed once", timeout: 10) {
            self.runtime.snapshot(uid: self.cluster.pod("probed")!.meta.uid)?.containers["redis"]?.probeReady == false
        }
        cluster.settle()
        XCTAssertEqual(ready(), "False")
        FileManager.default.createFile(atPath: flag, contents: Data())
        cluster.advance(.seconds(4))
        cluster.settle()
        XCTAssertEqual(ready(), "False", "the next probe is 5 s after the first")
        cluster.advance(.seconds(1))
        waitUntil("ready after the probe succeeds", timeout: 10) { ready() == "True" }
        XCTAssertEqual(cluster.pod("probed")?[path: "status", "containerStatuses"]?.arrayValue?.first?["ready"]?.boolValue, true)
    }
}
