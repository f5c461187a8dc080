import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import XCTest

final class VolumeProvisioningTests: XCTestCase {
    func testDefaultStorageClassIsCreatedAndAssignedToClaimsWithoutClass() throws {
        let c = try VolumeCluster()
        let standard = try XCTUnwrap(c.h.get("storageclasses", "standard", namespace: nil, group: "storage.k8s.io"))
        XCTAssertEqual(standard[path: "metadata", "annotations", "storageclass.kubernetes.io/is-default-class"], "true")
        XCTAssertEqual(standard["provisioner"], "kubelite.dev/hostpath")
        XCTAssertEqual(standard["reclaimPolicy"], "Delete")
        XCTAssertEqual(standard["volumeBindingMode"], "Immediate")

        let defaulted = try c.createClaim("data", modes: ["ReadWriteOnce"], className: nil)
        XCTAssertEqual(defaulted[path: "spec", "storageClassName"], "standard")
        XCTAssertEqual(defaulted[path: "metadata", "finalizers"], ["kubernetes.io/pvc-protection"])
        // An explicit empty class asks for no class at all and is kept.
        let classless = try c.createClaim("classless", modes: ["ReadWriteOnce"], className: "")
        XCTAssertEqual(classless[path: "spec", "storageClassName"], "")
        XCTAssertTrue(c.settle("default-class claim bound") { c.phase(ofClaim: "data") == "Bound" })
        XCTAssertTrue(c.settle("classless claim reported") {
            c.hasEvent(about: "classless", reason: "FailedBinding", message: "no persistent volumes available for this claim and no storage class is set")
        })
        XCTAssertEqual(c.phase(ofClaim: "classless"), "Pending")
    }

    func testNewestDefaultClassWins() throws {
        let c = try VolumeCluster()
        var fast: JSON = ["apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "provisioner": "example.com/fast"]
        fast["metadata"] = ["name": "fast", "annotations": ["storageclass.kubernetes.io/is-default-class": "true"]]
        c.h.timers.advance(by: .seconds(5))
        try c.h.create("storageclasses", fast, namespace: nil, group: "storage.k8s.io")
        let claim = try c.createClaim("data", className: nil)
        XCTAssertEqual(claim[path: "spec", "storageClassName"], "fast")
    }

    func testDefaultClassIsAssignedRetroactivelyToClaimsCreatedWithoutOne() throws {
        let c = try VolumeCluster(options: VolumeControllerOptions(createsDefaultStorageClass: false))
        let claim = try c.createClaim("data", className: nil)
        XCTAssertNil(claim[path: "spec", "storageClassName"])
        XCTAssertTrue(c.holds { c.phase(ofClaim: "data") == "Pending" })
        DefaultStorageClass.ensure(in: c.h.registry)
        XCTAssertTrue(c.settle("class assigned and claim bound") {
            c.claim("data")?[path: "spec", "storageClassName"] == "standard" && c.phase(ofClaim: "data") == "Bound"
        })
    }

    func testDynamicProvisioningBindsClaimToNewVolume() throws {
        let c = try VolumeCluster()
        try c.createClass("nfs-client")
        let created = try c.createClaim("redis-100m-pvc-redis-pv-sts-0", className: "nfs-client")
        let uid = try XCTUnwrap(created[path: "metadata", "uid"]?.stringValue)
        XCTAssertTrue(c.settle("claim bound") { c.phase(ofClaim: "redis-100m-pvc-redis-pv-sts-0") == "Bound" })
        XCTAssertTrue(c.settle("volume bound") { c.phase(ofVolume: "pvc-\(uid)") == "Bound" })

        let claim = try XCTUnwrap(c.claim("redis-100m-pvc-redis-pv-sts-0"))
        XCTAssertEqual(claim[path: "spec", "volumeName"]?.stringValue, "pvc-\(uid)")
        XCTAssertEqual(claim[path: "status", "capacity", "storage"], "100Mi")
        XCTAssertEqual(claim[path: "status", "accessModes"], ["ReadWriteMany"])
        let annotations = try XCTUnwrap(claim[path: "metadata", "annotations"])
        XCTAssertEqual(annotations["pv.kubernetes.io/bind-completed"], "yes")
        XCTAssertEqual(annotations["pv.kubernetes.io/bound-by-controller"], "yes")
        XCTAssertEqual(annotations["volume.kubernetes.io/storage-provisioner"], "k8s-sigs.io/nfs-subdir-external-provisioner")
        XCTAssertEqual(annotations["volume.beta.kubernetes.io/storage-provisioner"], "k8s-sigs.io/nfs-subdir-external-provisioner")

        let volume = try XCTUnwrap(c.volume("pvc-\(uid)"))
        XCTAssertEqual(volume[path: "spec", "capacity", "storage"], "100Mi")
        XCTAssertEqual(volume[path: "spec", "accessModes"], ["ReadWriteMany"])
        XCTAssertEqual(volume[path: "spec", "volumeMode"], "Filesystem")
        XCTAssertEqual(volume[path: "spec", "persistentVolumeReclaimPolicy"], "Delete")
        XCTAssertEqual(volume[path: "spec", "storageClassName"], "nfs-client")
        XCTAssertEqual(volume[path: "spec", "claimRef", "kind"], "PersistentVolumeClaim")
        XCTAssertEqual(volume[path: "spec", "claimRef", "apiVersion"], "v1")
        XCTAssertEqual(volume[path: "spec", "claimRef", "namespace"], "default")
        XCTAssertEqual(volume[path: "spec", "claimRef", "name"], "redis-100m-pvc-redis-pv-sts-0")
        XCTAssertEqual(volume[path: "spec", "claimRef", "uid"]?.stringValue, uid)
        XCTAssertNotNil(volume[path: "spec", "claimRef", "resourceVersion"])
        XCTAssertNotNil(volume[path: "spec", "hostPath", "path"])
        XCTAssertEqual(volume[path: "metadata", "annotations", "pv.kubernetes.io/provisioned-by"], "k8s-sigs.io/nfs-subdir-external-provisioner")
        XCTAssertEqual(volume[path: "metadata", "finalizers"], ["kubernetes.io/pv-protection"])

        XCTAssertTrue(c.settle("events recorded") {
            ["ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"].allSatisfy { c.hasEvent(about: "redis-100m-pvc-redis-pv-sts-0", reason: $0) }
        })
        XCTAssertTrue(c.hasEvent(about: "redis-100m-pvc-redis-pv-sts-0", reason: "ProvisioningSucceeded",
                                 message: "Successfully provisioned volume pvc-\(uid)"))
    }

    func testClaimNamingMissingClassStaysPendingWithWarningUntilTheClassExists() throws {
        let c = try VolumeCluster()
        try c.createClaim("data", className: "nfs-client")
        XCTAssertTrue(c.settle("warning recorded") {
            c.events(about: "data").contains {
                $0.type == "Warning" && $0.reason == "ProvisioningFailed" && $0.message == #"storageclass.storage.k8s.io "nfs-client" not found"#
            }
        })
        XCTAssertEqual(c.phase(ofClaim: "data"), "Pending")
        XCTAssertNil(c.claim("data")?[path: "spec", "volumeName"])

        try c.createClass("nfs-client")
        XCTAssertTrue(c.settle("claim bound once the class exists") { c.phase(ofClaim: "data") == "Bound" })
    }

    func testClassServedByNoProvisionerStaysPending() throws {
        let c = try VolumeCluster(options: .parsing(provisioners: "kubelite.dev/hostpath"))
        try c.createClass("nfs-client", provisioner: "example.com/nfs")
        try c.createClaim("data", className: "nfs-client")
        let message = "Waiting for a volume to be created either by the external provisioner 'example.com/nfs' or manually by the "
            + "system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
        XCTAssertTrue(c.settle("waiting event") { c.hasEvent(about: "data", reason: "ExternalProvisioning", message: message) })
        XCTAssertTrue(c.settle("claim annotated") {
            c.claim("data")?[path: "metadata", "annotations", "volume.kubernetes.io/storage-provisioner"] == "example.com/nfs"
        })
        // The served default class still provisions.
        try c.createClaim("served", className: "standard")
        XCTAssertTrue(c.settle("served claim bound") { c.phase(ofClaim: "served") == "Bound" })
        XCTAssertTrue(c.holds { c.phase(ofClaim: "data") == "Pending" && !c.hasEvent(about: "data", reason: "Provisioning") })
        XCTAssertEqual(c.h.store("persistentvolumes").list(namespace: nil).items.count, 1)
    }

    func testProvisionersFlagParsing() {
        XCTAssertNil(VolumeControllerOptions.parsing(provisioners: nil).provisioners)
        XCTAssertNil(VolumeControllerOptions.parsing(provisioners: "").provisioners)
        let options = VolumeControllerOptions.parsing(provisioners: "a.io/x, b.io/y")
        XCTAssertEqual(options.provisioners, ["a.io/x", "b.io/y"])
        XCTAssertTrue(options.serves("a.io/x"))
        XCTAssertFalse(options.serves("c.io/z"))
        XCTAssertTrue(VolumeControllerOptions().serves("anything.io/at-all"))
    }
}
