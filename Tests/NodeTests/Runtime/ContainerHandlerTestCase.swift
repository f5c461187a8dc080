import APIMachinery
import Foundation
import KubeliteTesting
import Registry
@testable import Node
import Synchronization
import XCTest

/// A process runtime on a manual clock with a launcher and a handler runner that run nothing,
/// for the probe and hook tests.
class ContainerHandlerTestCase: XCTestCase {
    var cluster: NodeTestCluster!
    var launcher: FakeContainerLauncher!
    var runner: FakeHandlerRunner!
    var root = ""

    override func setUpWithError() throws {
        root = RuntimeTestSupport.temporaryRoot()
        let timers = ManualTimers()
        launcher = FakeContainerLauncher(clock: { timers.now() })
        runner = FakeHandlerRunner()
        let catalog = ImageCatalog(entries: [ImageCatalogEntry(image: "tool", entrypoint: ["sh"])])
        var options = SimulatedNodeOptions()
        options.podRuntime = .process
        let runtime = ProcessPodRuntime(root: root, catalog: catalog, launcher: launcher, handlers: runner)
        cluster = try NodeTestCluster(options, runtime: runtime, timers: timers)
    }

    override func tearDown() {
        cluster = nil
        try? FileManager.default.removeItem(atPath: root)
    }

    static let failing: JSON = ["exec": ["command": ["check"]]]

    func createPod(_ name: String, container: JSONObject, restartPolicy: String = "Always") throws {
        var c: JSONObject = ["name": "c", "command": ["main"]]
        for (k, v) in container { c[k] = v }
        _ = try cluster.createPod(NodeTestCluster.podBody(name, image: "tool", spec: ["restartPolicy": .string(restartPolicy), "nodeName": "kubelite-node"],
                                                          container: c))
    }

    func status(_ pod: String) -> JSON? { cluster.pod(pod)?[path: "status", "containerStatuses"]?.arrayValue?.first }
    func messages(_ pod: String, _ reason: String) -> [String] {
        cluster.events(about: pod).filter { $0["reason"]?.stringValue == reason }.compactMap { $0["message"]?.stringValue }
    }
    /// How many times events with `reason` were recorded about the pod: repeats are counted on one
    /// event (`count`), as client-go's correlator does.
    func occurrences(_ pod: String, _ reason: String) -> Int64 {
        cluster.events(about: pod).filter { $0["reason"]?.stringValue == reason }.reduce(0) { $0 + ($1["count"]?.intValue ?? 1) }
    }
    func ready(_ pod: String) -> String? { NodeTestCluster.condition(cluster.pod(pod), "Ready")?["status"]?.stringValue }

}
