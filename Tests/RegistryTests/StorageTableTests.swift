import APIMachinery
import Foundation
@testable import Registry
import XCTest

/// PersistentVolumeClaim, PersistentVolume and StorageClass rows, after upstream's printers_test.go cases.
final class StorageTableTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    let created = JSON.string(Timestamp.format(Date(timeIntervalSince1970: 1_700_000_000 - 90)))

    func testClaimColumns() {
        XCTAssertEqual(PersistentVolumeClaimTable.columns.map(\.name),
                       ["Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass", "VolumeAttributesClass", "Age", "VolumeMode"])
        XCTAssertEqual(PersistentVolumeClaimTable.columns.last?.priority, 1)
    }

    func testBoundClaim() {
        let claim: JSON = [
            "metadata": ["name": "redis-100m-pvc-redis-pv-sts-0", "creationTimestamp": created],
            "spec": ["accessModes": ["ReadWriteMany"], "resources": ["requests": ["storage": "100Mi"]],
                     "storageClassName": "nfs-client", "volumeName": "pvc-1234", "volumeMode": "Filesystem"],
            "status": ["phase": "Bound", "accessModes": ["ReadWriteMany"], "capacity": ["storage": "100Mi"]],
        ]
        XCTAssertEqual(PersistentVolumeClaimTable.cells(claim, now: now),
                       ["redis-100m-pvc-redis-pv-sts-0", "Bound", "pvc-1234", "100Mi", "RWX", "nfs-client", "<unset>", "90s", "Filesystem"])
    }

    func testPendingClaimHidesCapacityAndModes() {
        let claim: JSON = [
            "metadata": ["name": "data", "creationTimestamp": created,
                         "annotations": ["volume.beta.kubernetes.io/storage-class": "legacy"]],
            "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]], "storageClassName": "nfs-client",
                     "volumeAttributesClassName": "gold"],
            "status": ["phase": "Pending"],
        ]
        XCTAssertEqual(PersistentVolumeClaimTable.cells(claim, now: now), ["data", "Pending", "", "", "", "legacy", "gold", "90s", "<unset>"])
    }

    func testDeletingClaimIsTerminating() {
        let claim: JSON = ["metadata": ["name": "c", "deletionTimestamp": created], "spec": [:], "status": ["phase": "Bound"]]
        XCTAssertEqual(PersistentVolumeClaimTable.cells(claim, now: now)[1], "Terminating")
    }

    func testAccessModesOrderAndDeduplication() {
        XCTAssertEqual(PrinterFormat.accessModes(["ReadWriteOncePod", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOnce", "ReadWriteOnce"]), "RWO,ROX,RWX,RWOP")
        XCTAssertEqual(PrinterFormat.accessModes(nil), "")
    }

    func testVolume() {
        XCTAssertEqual(PersistentVolumeTable.columns.map(\.name),
                       ["Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass", "VolumeAttributesClass", "Reason", "Age", "VolumeMode"])
        let volume: JSON = [
            "metadata": ["name": "pvc-1234", "creationTimestamp": created],
            "spec": ["capacity": ["storage": "100Mi"], "accessModes": ["ReadWriteMany"], "persistentVolumeReclaimPolicy": "Delete",
                     "storageClassName": "nfs-client", "volumeMode": "Filesystem",
                     "claimRef": ["namespace": "default", "name": "redis-100m-pvc-redis-pv-sts-0"]],
            "status": ["phase": "Bound"],
        ]
        XCTAssertEqual(PersistentVolumeTable.cells(volume, now: now),
                       ["pvc-1234", "100Mi", "RWX", "Delete", "Bound", "default/redis-100m-pvc-redis-pv-sts-0", "nfs-client", "<unset>", "", "90s", "Filesystem"])
    }

    func testFailedVolumeWithoutClaimOrCapacity() {
        let volume: JSON = ["metadata": ["name": "pv", "deletionTimestamp": created], "spec": ["persistentVolumeReclaimPolicy": "Retain"],
                            "status": ["phase": "Failed", "reason": "RecyclerFailed"]]
        XCTAssertEqual(PersistentVolumeTable.cells(volume, now: now),
                       ["pv", "0", "", "Retain", "Terminating", "", "", "<unset>", "RecyclerFailed", "<unknown>", "<unset>"])
    }

    func testStorageClassDefaultsAndDefaultMarker() {
        XCTAssertEqual(StorageClassTable.columns.map(\.name), ["Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"])
        let plain: JSON = ["metadata": ["name": "nfs-client", "creationTimestamp": created], "provisioner": "k8s-sigs.io/nfs-subdir-external-provisioner"]
        XCTAssertEqual(StorageClassTable.cells(plain, now: now),
                       ["nfs-client", "k8s-sigs.io/nfs-subdir-external-provisioner", "Delete", "Immediate", false, "90s"])
        let standard: JSON = [
            "metadata": ["name": "standard", "creationTimestamp": created,
                         "annotations": ["storageclass.kubernetes.io/is-default-class": "true"]],
            "provisioner": "rancher.io/local-path", "reclaimPolicy": "Retain", "volumeBindingMode": "WaitForFirstConsumer",
            "allowVolumeExpansion": true,
        ]
        XCTAssertEqual(StorageClassTable.cells(standard, now: now),
                       ["standard (default)", "rancher.io/local-path", "Retain", "WaitForFirstConsumer", true, "90s"])
    }

    func testBetaDefaultAnnotationAndNonTrueValue() {
        let beta: JSON = ["metadata": ["name": "b", "annotations": ["storageclass.beta.kubernetes.io/is-default-class": "true"]]]
        XCTAssertTrue(StorageClassTable.isDefault(beta))
        let notTrue: JSON = ["metadata": ["name": "b", "annotations": ["storageclass.kubernetes.io/is-default-class": "True"]]]
        XCTAssertFalse(StorageClassTable.isDefault(notTrue))
    }
}
