import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Node
import Registry
import XCTest

final class VolumeBindingTests: XCTestCase {
    func testStaticBindingPicksTheSmallestMatchingVolume() throws {
        let c = try VolumeCluster()
        try c.createVolume("pv-1gi", storage: "1Gi")
        try c.createVolume("pv-150mi", storage: "150Mi")
        try c.createVolume("pv-50mi", storage: "50Mi")                            // too small
        try c.createVolume("pv-120mi-other", storage: "120Mi", className: "other")   // another class
        try c.createVolume("pv-110mi-rwx-only", storage: "110Mi", modes: ["ReadWriteMany"])  // lacks RWO
        XCTAssertTrue(c.settleAvailable(["pv-1gi", "pv-150mi", "pv-50mi", "pv-120mi-other", "pv-110mi-rwx-only"]))
        try c.createClaim("data", modes: ["ReadWriteOnce"], className: "manual")
        XCTAssertTrue(c.settle("claim bound") { c.phase(ofClaim: "data") == "Bound" })

        let claim = try XCTUnwrap(c.claim("data"))
        XCTAssertEqual(claim[path: "spec", "volumeName"], "pv-150mi")
        XCTAssertEqual(claim[path: "status", "capacity", "storage"], "150Mi")
        XCTAssertEqual(claim[path: "status", "accessModes"], ["ReadWriteOnce"])
        XCTAssertEqual(claim[path: "metadata", "annotations", "pv.kubernetes.io/bind-completed"], "yes")
        XCTAssertEqual(claim[path: "metadata", "annotations", "pv.kubernetes.io/bound-by-controller"], "yes")
        XCTAssertTrue(c.settle("volume bound") { c.phase(ofVolume: "pv-150mi") == "Bound" })
        let volume = try XCTUnwrap(c.volume("pv-150mi"))
        XCTAssertEqual(volume[path: "spec", "claimRef", "name"], "data")
        XCTAssertEqual(volume[path: "spec", "claimRef", "uid"], claim[path: "metadata", "uid"])
        XCTAssertEqual(volume[path: "metadata", "annotations", "pv.kubernetes.io/bound-by-controller"], "yes")
        for other in ["pv-1gi", "pv-50mi", "pv-120mi-other", "pv-110mi-rwx-only"] {
            XCTAssertTrue(c.settle("\(other) available") { c.phase(ofVolume: other) == "Available" }, other)
        }
    }

    func testSelectorRestrictsStaticBinding() throws {
        let c = try VolumeCluster()
        try c.createVolume("plain", storage: "100Mi")
        try c.createVolume("gold", storage: "5Gi", labels: ["tier": "gold"])
        XCTAssertTrue(c.settleAvailable(["plain", "gold"]))
        try c.createClaim("data", modes: ["ReadWriteOnce"], className: "manual", selector: ["matchLabels": ["tier": "gold"]])
        XCTAssertTrue(c.settle("claim bound") { c.phase(ofClaim: "data") == "Bound" })
        XCTAssertEqual(c.claim("data")?[path: "spec", "volumeName"], "gold")
    }

    func testClaimNamingItsVolumeBindsToIt() throws {
        let c = try VolumeCluster()
        try c.createVolume("small", storage: "100Mi")
        try c.createVolume("chosen", storage: "2Gi")
        var claim: JSON = [
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "data"],
            "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "100Mi"]],
                     "storageClassName": "manual", "volumeName": "chosen"],
        ]
        claim = try c.h.create("persistentvolumeclaims", claim)
        XCTAssertTrue(c.settle("claim bound") { c.phase(ofClaim: "data") == "Bound" })
        XCTAssertEqual(c.claim("data")?[path: "spec", "volumeName"], "chosen")
        XCTAssertEqual(c.volume("chosen")?[path: "spec", "claimRef", "uid"], claim[path: "metadata", "uid"])
        // A claim that names its volume is not marked bound-by-controller.
        XCTAssertNil(c.claim("data")?[path: "metadata", "annotations", "pv.kubernetes.io/bound-by-controller"])
    }

    func testWaitForFirstConsumerProvisionsOnceANodeIsSelected() throws {
        let c = try VolumeCluster()
        try c.createClass("local", provisioner: "example.com/local", bindingMode: "WaitForFirstConsumer")
        try c.createClaim("data", modes: ["ReadWriteOnce"], className: "local")
        XCTAssertTrue(c.settle("waiting event") {
            c.hasEvent(about: "data", reason: "WaitForFirstConsumer", message: "waiting for first consumer to be created before binding")
        })
        XCTAssertTrue(c.holds { c.phase(ofClaim: "data") == "Pending" && c.h.store("persistentvolumes").list(namespace: nil).items.isEmpty })

        let pod = try c.createPod("app", claims: ["data"])
        XCTAssertEqual(VolumeBinding.check(pod, registry: c.h.registry), .needsNode(claims: ["data"]))
        XCTAssertTrue(c.settle("pod-scheduled event") { c.hasEvent(about: "data", reason: "WaitForPodScheduled", message: "waiting for pod app to be scheduled") })
        XCTAssertTrue(c.holds { c.h.store("persistentvolumes").list(namespace: nil).items.isEmpty })

        try VolumeBinding.selectNode("node-1", for: pod, context: c.h.context)
        XCTAssertEqual(c.claim("data")?[path: "metadata", "annotations", "volume.kubernetes.io/selected-node"], "node-1")
        XCTAssertTrue(c.settle("claim bound") { c.phase(ofClaim: "data") == "Bound" })
        XCTAssertTrue(c.settle("pod ready to bind") { VolumeBinding.check(pod, registry: c.h.registry) == .ready })
    }

    func testWaitForFirstConsumerClaimOfAPodPlacedDirectlyOnANode() throws {
        let c = try VolumeCluster()
        try c.createClass("local", provisioner: "example.com/local", bindingMode: "WaitForFirstConsumer")
        try c.createClaim("data", modes: ["ReadWriteOnce"], className: "local")
        try c.createPod("app", claims: ["data"], nodeName: "node-1")
        XCTAssertTrue(c.settle("claim bound") { c.phase(ofClaim: "data") == "Bound" })
        XCTAssertEqual(c.claim("data")?[path: "metadata", "annotations", "volume.kubernetes.io/selected-node"], "node-1")
    }

    func testPodWithUnboundImmediateClaimIsUnschedulable() throws {
        let c = try VolumeCluster(options: .parsing(provisioners: "kubelite.dev/hostpath"))
        try c.createClass("nfs-client", provisioner: "example.com/nfs")
        try c.createClaim("data", className: "nfs-client")
        let pod = try c.createPod("app", claims: ["data"])
        XCTAssertEqual(VolumeBinding.check(pod, registry: c.h.registry), .unschedulable(reason: "pod has unbound immediate PersistentVolumeClaims"))
        XCTAssertEqual(VolumeBinding.unboundClaims(for: pod, registry: c.h.registry), ["data"])
        XCTAssertEqual(VolumeBinding.unschedulableMessage(reason: "pod has unbound immediate PersistentVolumeClaims", nodes: 1),
                       "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
                           + "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.")

        let orphan = try c.createPod("orphan", claims: ["missing"])
        XCTAssertEqual(VolumeBinding.check(orphan, registry: c.h.registry), .unschedulable(reason: #"persistentvolumeclaim "missing" not found"#))

        let plain = try c.createPod("plain", claims: [])
        XCTAssertEqual(VolumeBinding.check(plain, registry: c.h.registry), .ready)

        // Once a volume appears for the claim, the pod may be placed.
        try c.createVolume("nfs-pv", storage: "1Gi", modes: ["ReadWriteMany"], className: "nfs-client")
        XCTAssertTrue(c.settle("claim bound") { VolumeBinding.check(pod, registry: c.h.registry) == .ready })
        XCTAssertEqual(VolumeBinding.unboundClaims(for: pod, registry: c.h.registry), [])
    }
}
