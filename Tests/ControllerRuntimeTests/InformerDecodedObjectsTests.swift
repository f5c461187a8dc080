import APIMachinery
@testable import ControllerRuntime
import Foundation
import Storage
import XCTest

/// The informer's cache holds stored objects: with no decoded tree kept at all (a zero budget), every
/// read still gives the object back, decoded from its bytes, and the handlers and the owner index see
/// the same objects as with every tree kept.
final class InformerDecodedObjectsTests: XCTestCase {
    override func tearDown() { DecodedTreeCache.shared.setBudget(DecodedTreeCache.defaultBudget) }

    private func pod(_ name: String, owner: String?, revision: Int64) -> StoredObject {
        var object: JSON = ["apiVersion": "v1", "kind": "Pod",
                            "metadata": ["name": .string(name), "namespace": "default", "resourceVersion": .string(String(revision))]]
        if let owner {
            object[path: "metadata", "ownerReferences"] = [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
                                                            "uid": .string(owner), "controller": true]]
        }
        return StoredObject(key: StorageKey(resource: "pods", namespace: "default", name: name), object: object,
                            bytes: JSONWriter.encode(object), revision: revision)
    }

    func testReadsDecodeWhatIsNoLongerKept() {
        DecodedTreeCache.shared.setBudget(0)
        let informer = Informer(resource: "pods")
        let added = Counter(), updated = Counter()
        informer.addHandler(.init(added: { pod in added.record(pod.meta.name) },
                                  updated: { old, new in updated.record("\(old.meta.resourceVersion)->\(new.meta.resourceVersion)") }))
        let pods = (0..<50).map { pod("p-\($0)", owner: $0 % 2 == 0 ? "rs-uid" : nil, revision: Int64($0 + 1)) }
        for stored in pods { _ = informer.receive(.added(stored)) }
        XCTAssertEqual(added.names.count, 50, "each handler call had its object")
        XCTAssertEqual(Set(informer.list(namespace: "default").map(\.meta.name)), Set(pods.map(\.key.name)))
        XCTAssertEqual(informer.get(namespace: "default", name: "p-7"), pods[7].object)
        XCTAssertEqual(informer.owned(by: "rs-uid").count, 25)
        XCTAssertEqual(informer.uncontrolled(namespace: "default").count, 25)
        // A relist of the same objects reports nothing; a changed one is an update with both versions.
        informer.replace(pods.enumerated().map { $0.offset == 3 ? pod("p-3", owner: nil, revision: 100) : $0.element }, revision: 100)
        XCTAssertEqual(informer.get(namespace: "default", name: "p-3")?.meta.resourceVersion, "100")
        XCTAssertEqual(updated.names, ["4->100"])
        XCTAssertEqual(informer.uncontrolled(namespace: "default").count, 25, "p-3 had no controller before either")
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [String] = []
        func record(_ name: String) { lock.lock(); seen.append(name); lock.unlock() }
        var names: [String] { lock.lock(); defer { lock.unlock() }; return seen }
    }
}
