import APIMachinery
@testable import Registry
import XCTest

/// Namespaces, nodes, persistent volumes and storage classes.
final class ClusterKindsStrategyTests: XCTestCase {
    func testCatalogFollowsResourceCatalogOrder() {
        XCTAssertEqual(StrategyCatalog.all.map(\.resource.plural), ResourceCatalog.all.map(\.plural))
    }

    func testNamespaceDefaults() {
        let strategy = NamespaceStrategy()
        let (o, errors) = create(strategy, json(#"{"metadata":{"name":"team-a"}}"#))
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "metadata", "labels"], ["kubernetes.io/metadata.name": "team-a"])
        XCTAssertEqual(o[path: "spec", "finalizers"], ["kubernetes"])
        XCTAssertEqual(o["status"], ["phase": "Active"])
        XCTAssertEqual(strategy.nameValidator("team.a", false).count, 1)
        let bad = json(#"{"metadata":{"name":"x"},"spec":{"finalizers":["bogus"]}}"#)
        XCTAssertEqual(create(strategy, bad).errors.count, 1)
        XCTAssertTrue(create(strategy, bad).errors[0].hasPrefix("spec.finalizers: Invalid value: \"bogus\""))
    }

    func testNamespaceUpdateKeepsFinalizersAndStatus() {
        let strategy = NamespaceStrategy()
        let old = create(strategy, json(#"{"metadata":{"name":"team-a"}}"#)).object
        let new = json(#"{"metadata":{"name":"team-a"},"spec":{"finalizers":[]},"status":{"phase":"Terminating"}}"#)
        let o = update(strategy, new, old: old).object
        XCTAssertEqual(o[path: "spec", "finalizers"], ["kubernetes"])
        XCTAssertEqual(o["status"], ["phase": "Active"])
    }

    func testNodeKeepsStatusOnCreateAndDefaultsAllocatable() {
        let strategy = NodeStrategy()
        let (o, errors) = create(strategy, json(#"{"metadata":{"name":"node-1"},"status":{"capacity":{"cpu":"2","memory":"4Gi"}}}"#))
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "status", "allocatable"], ["cpu": "2", "memory": "4Gi"])
        XCTAssertEqual(o[path: "status", "daemonEndpoints"], ["kubeletEndpoint": ["Port": 0]])
        XCTAssertEqual(o["spec"], [:])
    }

    func testNodeTaints() {
        let node = json(#"{"metadata":{"name":"n"},"spec":{"taints":[{"key":"a","effect":"Sometimes"},{"key":"b"}]}}"#)
        XCTAssertEqual(create(NodeStrategy(), node).errors, [
            "spec.taints[0].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
            "spec.taints[1].effect: Required value",
        ])
    }

    static let hostPathPV = json("""
    {"metadata":{"name":"pv-1"},"spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"hostPath":{"path":"/data"}}}
    """)

    func testPersistentVolumeDefaults() {
        let (o, errors) = create(PersistentVolumeStrategy(), Self.hostPathPV)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "spec", "persistentVolumeReclaimPolicy"], "Retain")
        XCTAssertEqual(o[path: "spec", "volumeMode"], "Filesystem")
        XCTAssertEqual(o[path: "spec", "hostPath"], ["path": "/data", "type": ""])
        XCTAssertEqual(o[path: "status", "phase"], "Pending")
        XCTAssertNotNil(o[path: "status", "lastPhaseTransitionTime"])
    }

    func testPersistentVolumeNeedsOneSourceCapacityAndModes() {
        let bad = json(#"{"metadata":{"name":"pv"},"spec":{"hostPath":{"path":"/a"},"nfs":{"server":"s","path":"/b"}}}"#)
        XCTAssertEqual(create(PersistentVolumeStrategy(), bad).errors, [
            "spec.accessModes: Required value",
            "spec.capacity: Required value",
            "spec.capacity: Unsupported value: core.ResourceList{}: supported values: \"storage\"",
            "spec.nfs: Forbidden: may not specify more than 1 volume type",
        ])
        let none = json(#"{"metadata":{"name":"pv"},"spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"]}}"#)
        XCTAssertEqual(create(PersistentVolumeStrategy(), none).errors, ["spec: Required value: must specify a volume type"])
    }

    func testPersistentVolumeSourceIsImmutable() {
        let strategy = PersistentVolumeStrategy()
        let old = create(strategy, Self.hostPathPV).object
        let moved = modified(old) { $0.setValue("/other", at: ["spec", "hostPath", "path"]) }
        XCTAssertEqual(update(strategy, moved, old: old).errors,
                       ["spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation"])
    }

    func testStorageClass() {
        let strategy = StorageClassStrategy()
        let (o, errors) = create(strategy, json(#"{"metadata":{"name":"nfs-client"},"provisioner":"example.com/nfs"}"#))
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o["reclaimPolicy"], "Delete")
        XCTAssertEqual(o["volumeBindingMode"], "Immediate")
        let bad = json(#"{"metadata":{"name":"x"},"reclaimPolicy":"Recycle"}"#)
        XCTAssertEqual(create(strategy, bad).errors, [
            "provisioner: Required value",
            "reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\"",
        ])
        let changed = modified(o) { $0["provisioner"] = "example.com/other"; $0["parameters"] = ["a": "b"] }
        XCTAssertEqual(update(strategy, changed, old: o).errors, [
            "parameters: Forbidden: updates to parameters are forbidden.",
            "provisioner: Forbidden: updates to provisioner are forbidden.",
        ])
    }
}
