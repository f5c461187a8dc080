import APIMachinery
@testable import ControllerRuntime
import Foundation
import Storage
import XCTest

/// The controller index beside an informer: one derived value per object, grouped by controller
/// uid (or, without a controller, by namespace), changed with the cache and before its revision.
final class ControllerIndexTests: XCTestCase {
    let controller: JSON = ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u1", "controller": true]
    let plainOwner: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "uid": "u2"]

    func event(_ type: String, _ name: String, owners: [JSON], revision: Int64, label: String = "x") -> WatchEvent {
        let object: JSON = ["metadata": ["name": .string(name), "namespace": "default", "resourceVersion": .string(String(revision)),
                                         "labels": ["v": .string(label)], "ownerReferences": .array(owners)]]
        let stored = StoredObject(key: StorageKey(resource: "pods", namespace: "default", name: name), object: object, bytes: [], revision: revision)
        switch type {
        case "add": return .added(stored)
        case "update": return .modified(stored)
        default: return .deleted(stored)
        }
    }

    /// name:label of each value, sorted.
    func names(_ values: [JSON]) -> [String] {
        values.map { "\($0.meta.name):\($0.meta.labels["v"] ?? "")" }.sorted()
    }

    func testGroupsFollowAddsUpdatesAndDeletes() {
        let informer = Informer(resource: "pods")
        let index = informer.index("test") { ControllerIndex<JSON> { $0.object } }
        _ = informer.receive(event("add", "a", owners: [controller], revision: 1))
        _ = informer.receive(event("add", "b", owners: [plainOwner], revision: 2))
        _ = informer.receive(event("add", "c", owners: [], revision: 3))
        XCTAssertEqual(names(index.controlled(by: "u1")), ["a:x"])
        XCTAssertEqual(names(index.uncontrolled(namespace: "default")), ["b:x", "c:x"])

        // An update replaces the value; a controller change moves the object between groups.
        _ = informer.receive(event("update", "a", owners: [controller], revision: 4, label: "y"))
        XCTAssertEqual(names(index.controlled(by: "u1")), ["a:y"])
        _ = informer.receive(event("update", "a", owners: [], revision: 5))
        _ = informer.receive(event("update", "c", owners: [controller], revision: 6))
        XCTAssertEqual(names(index.controlled(by: "u1")), ["c:x"])
        XCTAssertEqual(names(index.uncontrolled(namespace: "default")), ["a:x", "b:x"])

        _ = informer.receive(event("delete", "b", owners: [plainOwner], revision: 7))
        _ = informer.receive(event("delete", "c", owners: [controller], revision: 8))
        XCTAssertEqual(names(index.uncontrolled(namespace: "default")), ["a:x"])
        XCTAssertEqual(index.controlled(by: "u1").count, 0)
        XCTAssertEqual(index.uncontrolled(namespace: "other").count, 0)
    }

    func testAnIndexMadeLateIsFilledAndOneNameIsShared() {
        let informer = Informer(resource: "pods")
        _ = informer.receive(event("add", "a", owners: [controller], revision: 1))
        let first = informer.index("test") { ControllerIndex<JSON> { $0.object } }
        XCTAssertEqual(names(first.controlled(by: "u1")), ["a:x"])
        let second = informer.index("test") { ControllerIndex<JSON> { _ in XCTFail("made twice"); return [:] } }
        XCTAssertTrue(first === second)
    }

    /// The value is derived once per change, on the informer's side, not on every read.
    func testValuesAreDerivedOncePerChange() {
        let informer = Informer(resource: "pods")
        let derived = Counter()
        let index = informer.index("test") { ControllerIndex<String> { derived.increment(); return $0.object.meta.name } }
        _ = informer.receive(event("add", "a", owners: [controller], revision: 1))
        for _ in 0..<5 { XCTAssertEqual(index.controlled(by: "u1"), ["a"]) }
        XCTAssertEqual(derived.value, 1)
    }

    /// A relist's differences reach the index too.
    func testReplaceUpdatesTheIndex() {
        let informer = Informer(resource: "pods")
        let index = informer.index("test") { ControllerIndex<JSON> { $0.object } }
        _ = informer.receive(event("add", "a", owners: [controller], revision: 1))
        let b = event("add", "b", owners: [controller], revision: 2).object
        informer.replace([b], revision: 2)
        XCTAssertEqual(names(index.controlled(by: "u1")), ["b:x"])
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
