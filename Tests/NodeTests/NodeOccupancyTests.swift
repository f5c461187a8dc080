import APIMachinery
import ControllerRuntime
import KubeliteTesting
@testable import Node
import XCTest

/// The scheduler's per-node sums must follow pods through binding, updates, finishing and deletion,
/// and count assumed pods exactly once.
final class NodeOccupancyTests: XCTestCase {
    private func pod(_ name: String, node: String?, cpu: String = "100m", phase: String = "Running", uid: String = "u") -> JSON {
        var spec: JSON = ["containers": [["name": "c", "image": "x", "resources": ["requests": ["cpu": .string(cpu)]]]]]
        if let node { spec["nodeName"] = .string(node) }
        return ["metadata": ["namespace": "ns", "name": .string(name), "uid": .string(uid)], "spec": spec, "status": ["phase": .string(phase)]]
    }

    private func key(_ name: String) -> Informer.ObjectName { Informer.ObjectName(namespace: "ns", name: name) }

    func testPodsAreCountedOnTheirNodeUntilTheyLeaveIt() {
        let occupancy = NodeOccupancy()
        occupancy.observe(key("a"), pod("a", node: nil))
        XCTAssertTrue(occupancy.usage(adding: [:]).isEmpty, "an unbound pod occupies no node")

        occupancy.observe(key("a"), pod("a", node: "n1", cpu: "250m"))
        occupancy.observe(key("b"), pod("b", node: "n1"))
        occupancy.observe(key("c"), pod("c", node: "n2"))
        var usage = occupancy.usage(adding: [:])
        XCTAssertEqual(usage["n1"]?.count, 2)
        XCTAssertEqual(usage["n1"]?.used["cpu"], 350)
        XCTAssertEqual(usage["n2"]?.count, 1)

        occupancy.observe(key("a"), pod("a", node: "n1", phase: "Succeeded"))
        occupancy.observe(key("c"), nil)
        usage = occupancy.usage(adding: [:])
        XCTAssertEqual(usage["n1"]?.count, 1, "a finished pod frees its node")
        XCTAssertEqual(usage["n1"]?.used["cpu"], 100)
        XCTAssertEqual(usage["n2"]?.count, 0, "a deleted pod frees its node")
    }

    func testAssumedPodsCountUntilTheInformerShowsThemBound() {
        let occupancy = NodeOccupancy()
        let assumed = [key("a"): (node: "n1", pod: pod("a", node: nil))]
        XCTAssertEqual(occupancy.usage(adding: assumed)["n1"]?.count, 1)

        occupancy.observe(key("a"), pod("a", node: "n1"))
        XCTAssertEqual(occupancy.usage(adding: assumed)["n1"]?.count, 1, "seen bound: counted once, not twice")
    }

    /// Status updates of a counted pod leave its count alone; a pod of the same name but another
    /// uid (recreated while the watch was down) is counted afresh, and a move to another node moves it.
    func testOnlyANewPodOrANewNodeRecountsAPod() {
        let occupancy = NodeOccupancy()
        occupancy.observe(key("a"), pod("a", node: "n1", cpu: "250m"))
        occupancy.observe(key("a"), pod("a", node: "n1", cpu: "250m", phase: "Pending"))
        XCTAssertEqual(occupancy.usage(adding: [:])["n1"]?.used["cpu"], 250)
        occupancy.observe(key("a"), pod("a", node: "n1", cpu: "500m", uid: "u2"))
        XCTAssertEqual(occupancy.usage(adding: [:])["n1"]?.used["cpu"], 500)
        XCTAssertEqual(occupancy.usage(adding: [:])["n1"]?.count, 1)
        occupancy.observe(key("a"), pod("a", node: "n2", cpu: "500m", uid: "u2"))
        XCTAssertEqual(occupancy.usage(adding: [:])["n1"]?.count, 0)
        XCTAssertEqual(occupancy.usage(adding: [:])["n2"]?.used["cpu"], 500)
    }
}
