import APIMachinery
import Foundation
import KubeliteTesting
@testable import Registry
import Storage
import XCTest

/// A CRD through the Registry: named, established and served; its objects through the generic
/// store; name conflicts; deletion of the objects before the CRD.
final class CustomResourceServingTests: XCTestCase {
    var registry: Registry!
    let widgets = GroupResource(group: "example.com", resource: "widgets")

    override func setUpWithError() throws {
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        try registry.bootstrap()
    }

    override func tearDown() { registry.stopWatches() }

    var crds: ResourceStore { registry.store(ResourceCatalog.customResourceDefinitions.groupResource)! }

    func install(_ crd: JSON = CustomResourceFixtures.widgets()) throws {
        _ = try crds.create(namespace: nil, body: RequestBody(value: crd), options: WriteOptions())
        waitUntil("the CRD to be served") { registry.store(widgets) != nil }
    }

    func crd(_ name: String) throws -> CustomResourceDefinitionView {
        CustomResourceDefinitionView(try crds.get(namespace: nil, name: name).object)
    }

    func testEstablishedCRDIsServedWithItsConditions() throws {
        try install()
        let view = try crd("widgets.example.com")
        XCTAssertEqual(view.condition("NamesAccepted")?.reason, "NoConflicts")
        XCTAssertEqual(view.condition("Established")?.reason, "InitialNamesAccepted")
        XCTAssertEqual(view.acceptedNames.kind, "Widget")
        XCTAssertTrue(registry.servedResources.contains { $0.group == "example.com" && $0.plural == "widgets" })
        XCTAssertNotNil(registry.store(group: "example.com", version: "v1", plural: "widgets"))
        XCTAssertNil(registry.store(group: "example.com", version: "v2", plural: "widgets"))
    }

    func testObjectsGoThroughTheGenericStore() throws {
        try install()
        let store = registry.store(widgets)!
        let created = try store.create(namespace: "default", body: RequestBody(value: CustomResourceFixtures.widget("a")), options: WriteOptions()).object
        XCTAssertEqual(created[path: "metadata", "generation"], 1)
        XCTAssertEqual(created["kind"], "Widget")

        let status = registry.status(widgets)!
        var withStatus = created
        withStatus["status"] = ["replicas": 1]
        let afterStatus = try status.update(namespace: "default", name: "a", body: RequestBody(value: withStatus), options: WriteOptions()).object
        XCTAssertEqual(afterStatus[path: "metadata", "generation"], 1)

        let scale = registry.scale(widgets)!
        _ = try scale.update(namespace: "default", name: "a", body: ["spec": ["replicas": 4]], options: WriteOptions())
        let scaled = try store.get(namespace: "default", name: "a").object
        XCTAssertEqual(scaled[path: "spec", "replicas"], 4)
        XCTAssertEqual(scaled[path: "metadata", "generation"], 2)
        XCTAssertEqual(scaled[path: "status", "replicas"], 1)

        XCTAssertThrowsError(try store.patch(namespace: "default", name: "a", type: .strategic,
                                             patch: RequestBody(value: ["spec": ["replicas": 1]]), options: WriteOptions())) { error in
            XCTAssertEqual((error as? APIError)?.code, 415)
        }
    }

    func testConflictingNamesAreNotAccepted() throws {
        try install()
        var other = CustomResourceFixtures.widgets(plural: "gadgets", kind: "Gadget", shortNames: ["wd"])
        other[path: "metadata", "name"] = "gadgets.example.com"
        _ = try crds.create(namespace: nil, body: RequestBody(value: other), options: WriteOptions())
        waitUntil("the naming condition") { (try? self.crd("gadgets.example.com"))?.condition("NamesAccepted") != nil }
        let view = try crd("gadgets.example.com")
        XCTAssertEqual(view.condition("NamesAccepted")?.status, "False")
        XCTAssertEqual(view.condition("NamesAccepted")?.reason, "ShortNamesConflict")
        XCTAssertEqual(view.condition("NamesAccepted")?.message, #""wd" is already in use"#)
        XCTAssertEqual(view.condition("Established")?.reason, "NotAccepted")
        XCTAssertNil(registry.store(GroupResource(group: "example.com", resource: "gadgets")))
    }

    func testDeletionRemovesObjectsThenTheDefinition() throws {
        try install()
        let store = registry.store(widgets)!
        for name in ["a", "b"] {
            _ = try store.create(namespace: "default", body: RequestBody(value: CustomResourceFixtures.widget(name)), options: WriteOptions())
        }
        guard case .marked(let marked) = try crds.delete(namespace: nil, name: "widgets.example.com", options: DeleteOptions()) else {
            return XCTFail("a CRD is only marked: its objects go first")
        }
        XCTAssertEqual(marked[path: "metadata", "finalizers"], ["customresourcecleanup.apiextensions.k8s.io"])
        XCTAssertEqual(CustomResourceDefinitionView(marked).condition("Terminating")?.reason, "InstanceDeletionPending")
        waitUntil("the CRD to go") { (try? self.crds.get(namespace: nil, name: "widgets.example.com")) == nil }
        XCTAssertEqual(store.list(namespace: nil).items.count, 0)
        waitUntil("the resource to stop being served") { registry.store(widgets) == nil }
    }

    func testEstablishedCRDsAreServedAtStartup() throws {
        let storage = MemoryStorage()
        let first = Registry(storage: storage, strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        try first.bootstrap()
        registry.stopWatches()
        registry = first
        try install()
        let second = Registry(storage: storage, strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        defer { second.stopWatches() }
        XCTAssertNotNil(second.store(widgets), "served before any event is processed")
    }
}
