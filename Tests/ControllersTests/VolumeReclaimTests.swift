import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import XCTest

final class VolumeReclaimTests: XCTestCase {
    func boundClaim(_ c: VolumeCluster, reclaimPolicy: String) throws -> String {
        try c.createClass("nfs-client", reclaimPolicy: reclaimPolicy)
        let uid = try XCTUnwrap(c.createClaim("data", className: "nfs-client")[path: "metadata", "uid"]?.stringValue)
        XCTAssertTrue(c.settle("claim bound") { c.phase(ofClaim: "data") == "Bound" && c.phase(ofVolume: "pvc-\(uid)") == "Bound" })
        return "pvc-\(uid)"
    }

    func testReclaimDeleteRemovesTheVolume() throws {
        let c = try VolumeCluster()
        let volume = try boundClaim(c, reclaimPolicy: "Delete")
        try c.delete("persistentvolumeclaims", "data")
        XCTAssertTrue(c.settle("claim and volume gone") { c.claim("data") == nil && c.volume(volume) == nil })
    }

    func testReclaimRetainKeepsTheVolumeReleased() throws {
        let c = try VolumeCluster()
        let volume = try boundClaim(c, reclaimPolicy: "Retain")
        XCTAssertEqual(c.volume(volume)?[path: "spec", "persistentVolumeReclaimPolicy"], "Retain")
        try c.delete("persistentvolumeclaims", "data")
        XCTAssertTrue(c.settle("volume released") { c.claim("data") == nil && c.phase(ofVolume: volume) == "Released" })
        XCTAssertEqual(c.volume(volume)?[path: "spec", "claimRef", "name"], "data")

        // A new claim of the same name does not get the released volume: it has its own.
        let uid = try XCTUnwrap(c.createClaim("data", className: "nfs-client")[path: "metadata", "uid"]?.stringValue)
        XCTAssertTrue(c.settle("new claim bound") { c.phase(ofClaim: "data") == "Bound" })
        XCTAssertEqual(c.claim("data")?[path: "spec", "volumeName"]?.stringValue, "pvc-\(uid)")
        XCTAssertEqual(c.phase(ofVolume: volume), "Released")
    }

    func testStaticVolumeWithDeletePolicyFailsAsWithoutADeleter() throws {
        let c = try VolumeCluster()
        try c.createVolume("static", storage: "1Gi", reclaimPolicy: "Delete")
        try c.createClaim("data", modes: ["ReadWriteOnce"], className: "manual")
        XCTAssertTrue(c.settle("claim bound") { c.phase(ofClaim: "data") == "Bound" })
        try c.delete("persistentvolumeclaims", "data")
        XCTAssertTrue(c.settle("volume failed") { c.phase(ofVolume: "static") == "Failed" })
        XCTAssertTrue(c.settle("event") { c.hasEvent(about: "static", reason: "VolumeFailedDelete") })
    }

    func testClaimProtectionHoldsTheClaimWhileAScheduledPodUsesIt() throws {
        let c = try VolumeCluster()
        let volume = try boundClaim(c, reclaimPolicy: "Delete")
        try c.createPod("app", claims: ["data"], nodeName: "node-1")
        try c.delete("persistentvolumeclaims", "data")
        let terminating = try XCTUnwrap(c.claim("data"))
        XCTAssertNotNil(terminating[path: "metadata", "deletionTimestamp"])
        XCTAssertEqual(terminating[path: "metadata", "finalizers"], ["kubernetes.io/pvc-protection"])
        XCTAssertTrue(c.holds { c.claim("data") != nil && c.phase(ofVolume: volume) == "Bound" }, "claim released while in use")

        try c.delete("pods", "app")
        XCTAssertTrue(c.settle("claim and volume gone") { c.claim("data") == nil && c.volume(volume) == nil })
    }

    func testUnscheduledPodDoesNotHoldTheClaim() throws {
        let c = try VolumeCluster()
        _ = try boundClaim(c, reclaimPolicy: "Delete")
        try c.createPod("app", claims: ["data"])
        try c.delete("persistentvolumeclaims", "data")
        XCTAssertTrue(c.settle("claim gone") { c.claim("data") == nil })
    }

    func testVolumeProtectionHoldsABoundVolumeUntilItsClaimIsGone() throws {
        let c = try VolumeCluster()
        let volume = try boundClaim(c, reclaimPolicy: "Retain")
        try c.delete("persistentvolumes", volume, namespace: nil)
        let terminating = try XCTUnwrap(c.volume(volume))
        XCTAssertNotNil(terminating[path: "metadata", "deletionTimestamp"])
        XCTAssertEqual(terminating[path: "metadata", "finalizers"], ["kubernetes.io/pv-protection"])
        XCTAssertTrue(c.holds { c.volume(volume) != nil && c.phase(ofClaim: "data") == "Bound" }, "bound volume deleted")

        try c.delete("persistentvolumeclaims", "data")
        XCTAssertTrue(c.settle("volume gone once released") { c.volume(volume) == nil })
    }

    func testProtectionFinalizersAreAddedToObjectsMissingThem() throws {
        let c = try VolumeCluster()
        try c.createVolume("pv", storage: "1Gi")
        // Read-modify-write, retried on conflict: the binder may write the volume's status in between.
        var attempts = 0
        while true {
            var cleared: JSON = try XCTUnwrap(c.volume("pv"))
            cleared[path: "metadata", "finalizers"] = nil
            do {
                _ = try c.h.store("persistentvolumes").update(namespace: nil, name: "pv", body: RequestBody(value: cleared), options: WriteOptions())
                break
            } catch {
                attempts += 1
                guard error.code == 409, attempts < 20 else { throw error }
            }
        }
        XCTAssertTrue(c.settle("finalizer restored") { c.volume("pv")?[path: "metadata", "finalizers"] == ["kubernetes.io/pv-protection"] })
    }
}
