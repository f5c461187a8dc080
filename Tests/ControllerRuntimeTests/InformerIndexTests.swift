import APIMachinery
@testable import ControllerRuntime
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

/// The informer's owner indexes: objects by owner uid, and the objects without a controller
/// (what a controller may adopt), kept right through adds, updates and deletes.
final class InformerIndexTests: XCTestCase {
    func event(_ type: String, _ name: String, owners: [JSON], revision: Int64) -> WatchEvent {
        let object: JSON = ["metadata": ["name": .string(name), "namespace": "default", "ownerReferences": .array(owners)]]
        let stored = StoredObject(key: StorageKey(resource: "pods", namespace: "default", name: name), object: object, bytes: [], revision: revision)
        switch type {
        case "add": return .added(stored)
        case "update": return .modified(stored)
        default: return .deleted(stored)
        }
    }

    func testUncontrolledAndOwnedFollowTheObjects() {
        let informer = Informer(resource: "pods")
        let controller: JSON = ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u1", "controller": true]
        let plainOwner: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "uid": "u2"]
        _ = informer.receive(event("add", "a", owners: [controller], revision: 1))
        _ = informer.receive(event("add", "b", owners: [plainOwner], revision: 2))
        _ = informer.receive(event("add", "c", owners: [], revision: 3))
        XCTAssertEqual(Set(informer.uncontrolled(namespace: "default").map(\.meta.name)), ["b", "c"])
        XCTAssertEqual(informer.owned(by: "u1").map(\.meta.name), ["a"])

        _ = informer.receive(event("update", "a", owners: [], revision: 4))
        _ = informer.receive(event("update", "c", owners: [controller], revision: 5))
        XCTAssertEqual(Set(informer.uncontrolled(namespace: "default").map(\.meta.name)), ["a", "b"])
        XCTAssertEqual(informer.owned(by: "u1").map(\.meta.name), ["c"])

        _ = informer.receive(event("delete", "b", owners: [plainOwner], revision: 6))
        XCTAssertEqual(informer.uncontrolled(namespace: "default").map(\.meta.name), ["a"])
        XCTAssertEqual(informer.uncontrolled(namespace: "other").count, 0)
    }
}
