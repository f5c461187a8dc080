import APIMachinery
@testable import Registry
import XCTest

final class PersistentVolumeClaimStrategyTests: XCTestCase {
    let strategy = PersistentVolumeClaimStrategy()

    static let claim = json("""
    {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data","namespace":"default"},
     "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},"storageClassName":"nfs-client"}}
    """)

    func testValidClaimGetsDefaults() {
        let (o, errors) = create(strategy, Self.claim)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "spec", "volumeMode"], "Filesystem")
        XCTAssertEqual(o["status"], ["phase": "Pending"])
    }

    func testAccessModesAndStorageAreRequired() {
        let bad = modified(Self.claim) {
            $0.setValue(nil, at: ["spec", "accessModes"])
            $0.setValue(nil, at: ["spec", "resources"])
        }
        XCTAssertEqual(create(strategy, bad).errors, [
            "spec.accessModes: Required value: at least 1 access mode is required",
            "spec.resources[storage]: Required value",
        ])
    }

    func testAccessModesAndStorageMustBeValid() {
        let bad = modified(Self.claim) {
            $0.setValue(["ReadWriteSometimes"], at: ["spec", "accessModes"])
            $0.setValue("0", at: ["spec", "resources", "requests", "storage"])
        }
        XCTAssertEqual(create(strategy, bad).errors, [
            "spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", "
                + "\"ReadWriteOnce\", \"ReadWriteOncePod\"",
            "spec.resources[storage]: Invalid value: \"0\": must be greater than zero",
        ])
    }

    func testSpecIsImmutableExceptBoundResize() {
        let old = create(strategy, Self.claim).object
        let modes = modified(old) { $0.setValue(["ReadWriteMany"], at: ["spec", "accessModes"]) }
        XCTAssertEqual(update(strategy, modes, old: old).errors, [
            "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        ])
        let grow = modified(old) { $0.setValue("2Gi", at: ["spec", "resources", "requests", "storage"]) }
        XCTAssertEqual(update(strategy, grow, old: old).errors.count, 1, "an unbound claim cannot be resized")
        let bound = modified(old) { $0["status"] = ["phase": "Bound", "capacity": ["storage": "1Gi"]] }
        let boundGrow = modified(bound) { $0.setValue("2Gi", at: ["spec", "resources", "requests", "storage"]) }
        XCTAssertEqual(update(strategy, boundGrow, old: bound).errors, [])
        let boundShrink = modified(bound) { $0.setValue("512Mi", at: ["spec", "resources", "requests", "storage"]) }
        XCTAssertEqual(update(strategy, boundShrink, old: bound).errors, [
            "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity",
        ])
        let bindVolume = modified(old) { $0.setValue("pv-1", at: ["spec", "volumeName"]) }
        XCTAssertEqual(update(strategy, bindVolume, old: old).errors, [])
    }
}
