import Foundation
import KubeliteTesting
@testable import Node
import Synchronization
import XCTest

/// The pod network for real: a bridge, a veth per sandbox, pods reaching each other and the host.
/// Needs root and iproute2 (CI runs as root); skipped otherwise.
final class PodNetworkTests: XCTestCase {
    var root = ""
    var network: PodNetwork!
    var sandboxes: [PodSandbox] = []
    let cidr = IPv4CIDR("10.126.0.0/20")!

    override func setUpWithError() throws {
        try RuntimeTestSupport.requireNamespaces()
        root = RuntimeTestSupport.temporaryRoot()
        network = PodNetwork(runtimeRoot: root, clusterCIDR: cidr, clusterDomain: "cluster.local")
        if let reason = network.unavailableReason() { throw XCTSkip("the pod network needs \(reason)") }
    }

    override func tearDown() {
        for s in sandboxes { s.stop() }
        network?.tearDown()
        try? FileManager.default.removeItem(atPath: root)
    }

    func sandbox(_ name: String, address: String, node: Int = 0) throws -> PodSandbox {
        let attachment = try network.attachment(address: address, subnet: cidr.nodeSubnet(node))
        let s = try PodSandbox.start(hostname: name, mounts: [], network: attachment, runtimeRoot: root)
        sandboxes.append(s)
        return s
    }

    /// Runs `argv` in `sandbox` and returns its exit code and output.
    func run(_ argv: [String], in sandbox: PodSandbox) throws -> (Int32, String) {
        let ended = Mutex<ContainerTermination?>(nil)
        let log = "\(root)/\(UUID().uuidString).log"
        let launch = ContainerLaunch(argv: argv, env: ["PATH=\(ContainerLaunch.defaultPath)"], workingDir: "/")
        _ = try ContainerProcess.Launcher().start(launch, in: sandbox, logPath: log) { t in ended.withLock { $0 = t } }
        waitUntil("\(argv) ends", timeout: 10) { ended.withLock { $0 != nil } }
        let text = RuntimeTestSupport.logText(log).split(separator: "\n")
            .compactMap { CRILogLine.parse(Array($0.utf8)[...]) }.map { String(decoding: $0.text, as: UTF8.self) }.joined(separator: "\n")
        return (try XCTUnwrap(ended.withLock { $0 }).exitCode, text)
    }

    func testPodsHaveTheirAddressAndReachEachOtherAcrossNodesAndTheHost() throws {
        guard FileManager.default.isExecutableFile(atPath: "/bin/busybox") else { throw XCTSkip("needs busybox's ping (scripts/test installs it)") }
        let a = try sandbox("a", address: "10.126.0.2")
        let b = try sandbox("b", address: "10.126.1.2", node: 1)
        let (code, addresses) = try run(["ip", "-o", "-4", "addr", "show", "dev", "eth0"], in: a)
        XCTAssertEqual(code, 0)
        XCTAssertTrue(addresses.contains("inet 10.126.0.2/24"), addresses)
        // The route to the whole cluster CIDR is on-link: the other node's pod answers without forwarding.
        XCTAssertEqual(try run(["busybox", "ping", "-c", "1", "-W", "2", "10.126.1.2"], in: a).0, 0)
        XCTAssertEqual(try run(["busybox", "ping", "-c", "1", "-W", "2", "10.126.0.2"], in: b).0, 0)
        XCTAssertEqual(try run(["busybox", "ping", "-c", "1", "-W", "2", "10.126.0.1"], in: a).0, 0, "the gateway is the host")
        XCTAssertEqual(IPRoute.run(["link", "show", "master", network.bridge]).1.components(separatedBy: "veth").count - 1, 2,
                       "one veth per pod on the bridge")
    }

    func testTheVethGoesWithThePodAndTheBridgeWithTearDown() throws {
        let a = try sandbox("a", address: "10.126.0.3")
        XCTAssertTrue(IPRoute.linkExists(network.bridge))
        a.stop()
        waitUntil("the pod's veth is gone", timeout: 10) {
            !IPRoute.run(["link", "show", "master", self.network.bridge]).1.contains("veth")
        }
        network.tearDown()
        XCTAssertFalse(IPRoute.linkExists(network.bridge))
    }

    func testACrashedRunsBridgeIsFoundByItsRoot() throws {
        _ = try sandbox("a", address: "10.126.0.4")
        XCTAssertEqual(PodNetwork.bridgeName(runtimeRoot: root), network.bridge)
        XCTAssertTrue(network.bridge.hasPrefix("kl-") && network.bridge.utf8.count <= 15)
        for s in sandboxes { s.stop() }
        sandboxes = []
        XCTAssertTrue(PodNetwork.removeLeftover(runtimeRoot: root))
        XCTAssertFalse(IPRoute.linkExists(network.bridge))
        XCTAssertFalse(PodNetwork.removeLeftover(runtimeRoot: root), "nothing left the second time")
    }

    func testAnOverlappingClusterCIDRIsReported() throws {
        _ = try sandbox("a", address: "10.126.0.5")
        let other = PodNetwork(runtimeRoot: root + "-other", clusterCIDR: IPv4CIDR("10.126.0.0/16")!, clusterDomain: "cluster.local")
        let reason = try XCTUnwrap(other.unavailableReason())
        XCTAssertTrue(reason.hasPrefix("a free pod network: 10.126.0.0/16 overlaps 10.126.0.1/24 on \(network.bridge)"), reason)
        XCTAssertNil(network.unavailableReason(), "its own bridge does not count")
    }
}
