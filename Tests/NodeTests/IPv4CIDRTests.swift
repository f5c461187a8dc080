@testable import Node
import XCTest

final class IPv4CIDRTests: XCTestCase {
    func testParsingKeepsTheNetworkAndClearsHostBits() throws {
        XCTAssertEqual(IPv4CIDR("10.244.0.0/16")?.description, "10.244.0.0/16")
        XCTAssertEqual(IPv4CIDR("10.244.7.9/16")?.description, "10.244.0.0/16")
        XCTAssertEqual(IPv4CIDR.defaultCluster.description, "10.244.0.0/16")
        for bad in ["10.244.0.0", "10.244.0/16", "10.244.0.256/16", "10.244.0.0/33", "10.244.0.0/-1", "a.b.c.d/8", "", "10.244.0.0/16/1",
                    "1.2.3.04444/8"] {
            XCTAssertNil(IPv4CIDR(bad), bad)
        }
    }

    func testEachNodeGetsTheNextSlash24() throws {
        let cluster = try XCTUnwrap(IPv4CIDR("10.244.0.0/16"))
        XCTAssertEqual(cluster.nodeSubnetCount, 256)
        XCTAssertEqual(cluster.nodeSubnet(0).description, "10.244.0.0/24")
        XCTAssertEqual(cluster.nodeSubnet(2).description, "10.244.2.0/24")
        XCTAssertEqual(cluster.nodeSubnet(2).address(1), "10.244.2.1")
        XCTAssertEqual(IPv4CIDR("10.9.0.0/23")?.nodeSubnetCount, 2)
        XCTAssertEqual(IPv4CIDR("10.9.0.0/25")?.nodeSubnetCount, 0)
        var options = SimulatedNodeOptions(nodes: 2)
        options.clusterCIDR = try XCTUnwrap(IPv4CIDR("10.130.32.0/20"))
        XCTAssertEqual(options.podCIDR(index: 1).description, "10.130.33.0/24")
    }

    func testMembershipAndOverlap() throws {
        let cluster = try XCTUnwrap(IPv4CIDR("10.244.0.0/16"))
        XCTAssertTrue(cluster.contains("10.244.255.1"))
        XCTAssertFalse(cluster.contains("10.245.0.1"))
        XCTAssertFalse(cluster.contains("not an address"))
        XCTAssertTrue(cluster.overlaps(try XCTUnwrap(IPv4CIDR("10.244.3.1/24"))))
        XCTAssertTrue(cluster.overlaps(try XCTUnwrap(IPv4CIDR("10.0.0.0/8"))))
        XCTAssertFalse(cluster.overlaps(try XCTUnwrap(IPv4CIDR("10.245.0.1/24"))))
    }
}
