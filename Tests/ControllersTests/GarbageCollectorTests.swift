import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage
import Synchronization
import XCTest

final class GarbageCollectorTests: XCTestCase {
    func owned(_ name: String, by owner: JSON, block: Bool = false) -> JSON {
        var cm: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)]]
        cm[path: "metadata", "ownerReferences"] = [[
            "apiVersion": "v1", "kind": "ConfigMap", "name": owner[path: "metadata", "name"]!,
            "uid": owner[path: "metadata", "uid"]!, "blockOwnerDeletion": .bool(block),
        ]]
        return cm
    }

    func startGC() throws -> ControllerHarness {
        let h = try ControllerHarness()
        ControllerManager.start([GarbageCollector()], context: h.context)
        return h
    }

    func testBackgroundDeletionRemovesDependents() throws {
        let h = try startGC()
        let owner = try h.create("configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner"]])
        try h.create("configmaps", owned("child-1", by: owner))
        try h.create("configmaps", owned("child-2", by: owner))
        _ = try h.store("configmaps").delete(namespace: "default", name: "owner", options: DeleteOptions())
        XCTAssertTrue(waitUntil("dependents deleted") { h.get("configmaps", "child-1") == nil && h.get("configmaps", "child-2") == nil })
    }

    func testDependentWithAnotherLiveOwnerStays() throws {
        let h = try startGC()
        let a = try h.create("configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"]])
        let b = try h.create("configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "b"]])
        var child = owned("child", by: a)
        child[path: "metadata", "ownerReferences"] = .array(child[path: "metadata", "ownerReferences"]!.arrayValue! + [[
            "apiVersion": "v1", "kind": "ConfigMap", "name": "b", "uid": b[path: "metadata", "uid"]!,
        ]])
        try h.create("configmaps", child)
        try h.create("configmaps", owned("only-a", by: a))
        _ = try h.store("configmaps").delete(namespace: "default", name: "a", options: DeleteOptions())
        // Once the dependent owned only by `a` is gone, the collector has handled `a`'s deletion.
        XCTAssertTrue(waitUntil("only-a deleted") { h.get("configmaps", "only-a") == nil })
        XCTAssertNotNil(h.get("configmaps", "child"))
    }

    func testForegroundDeletionDeletesDependentsFirst() throws {
        let h = try startGC()
        let owner = try h.create("configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner"]])
        try h.create("configmaps", owned("child", by: owner, block: true))
        var options = DeleteOptions()
        options.propagationPolicy = .foreground
        _ = try h.store("configmaps").delete(namespace: "default", name: "owner", options: options)
        XCTAssertTrue(waitUntil("owner and dependent gone") { h.get("configmaps", "owner") == nil && h.get("configmaps", "child") == nil })
    }

    func testOrphanDeletionKeepsDependentsWithoutTheReference() throws {
        let h = try startGC()
        let owner = try h.create("configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner"]])
        try h.create("configmaps", owned("child", by: owner))
        var options = DeleteOptions()
        options.propagationPolicy = .orphan
        _ = try h.store("configmaps").delete(namespace: "default", name: "owner", options: options)
        XCTAssertTrue(waitUntil("owner gone") { h.get("configmaps", "owner") == nil })
        let child = h.get("configmaps", "child")
        XCTAssertNotNil(child)
        XCTAssertNil(child?[path: "metadata", "ownerReferences"])
    }

    /// A leadership term over, the collector's watches end at once, and a CRD established after it
    /// gets none: a replica that lost its Lease keeps no watch behind.
    func testAnEndedTermLeavesNoWatch() throws {
        let registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        try registry.bootstrap()
        defer { registry.stopWatches() }
        let before = registry.watcherCount
        let running = RunningControllers([GarbageCollector()], registry: registry, timers: ManualTimers(), logger: .init(label: "test"))
        XCTAssertTrue(waitUntil("a watch per stored resource") { registry.watcherCount >= before + registry.storedResources.count })
        running.stop()
        XCTAssertTrue(waitUntil("the term's watches ended") { registry.watcherCount == before })

        let crd: JSON = try JSONParser.parse(Array("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gadgets.example.com"},
             "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"gadgets","kind":"Gadget"},
              "versions":[{"name":"v1","served":true,"storage":true,
                "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
            """.utf8)).value
        // Observers run in the order they came, so once this one has run the collector's has too.
        let observed = Mutex(false)
        registry.observeCustomResources { _ in observed.withLock { $0 = true } }
        let crds = try XCTUnwrap(registry.store(group: "apiextensions.k8s.io", plural: "customresourcedefinitions"))
        _ = try crds.create(namespace: nil, body: RequestBody(value: crd), options: WriteOptions())
        XCTAssertTrue(waitUntil("the CRD served and observed") { observed.withLock { $0 } })
        XCTAssertNotNil(registry.store(GroupResource(group: "example.com", resource: "gadgets")))
        XCTAssertEqual(registry.watcherCount, before)
    }
}
