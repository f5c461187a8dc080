import APIMachinery
import Storage
import XCTest

final class MemoryStorageTests: XCTestCase {
    let key = StorageKey(resource: "configmaps", namespace: "default", name: "a")

    func testRevisionsStrictlyIncreaseAndAreStampedIntoObjects() throws {
        let storage = MemoryStorage()
        let start = storage.currentRevision
        let created = try storage.create(key, ["metadata": ["name": "a"]])
        XCTAssertEqual(created.revision, start + 1)
        XCTAssertEqual(created.object[path: "metadata", "resourceVersion"], .string(String(start + 1)))
        XCTAssertEqual(try JSONParser.parse(created.bytes).value, created.object)
        let updated = try storage.update(key, expectedRevision: created.revision, ["metadata": ["name": "a"], "data": ["k": "v"]])
        XCTAssertEqual(updated.revision, start + 2)
        let deleted = try storage.delete(key, expectedRevision: nil)
        XCTAssertEqual(deleted.revision, start + 3)
        XCTAssertNil(storage.get(key))
    }

    func testCompareAndSwapConflictsAndExistence() throws {
        let storage = MemoryStorage()
        let created = try storage.create(key, ["metadata": ["name": "a"]])
        XCTAssertThrowsError(try storage.create(key, [:])) { XCTAssertEqual($0 as? StorageError, .alreadyExists(self.key)) }
        _ = try storage.update(key, expectedRevision: created.revision, ["x": 1])
        XCTAssertThrowsError(try storage.update(key, expectedRevision: created.revision, ["x": 2])) { error in
            guard case .conflict = error as? StorageError else { return XCTFail("expected conflict, got \(error)") }
        }
        XCTAssertThrowsError(try storage.delete(StorageKey(resource: "configmaps", namespace: "default", name: "zz"), expectedRevision: nil))
    }

    func testListIsSortedByNamespaceThenNameAndFiltersNamespace() throws {
        let storage = MemoryStorage()
        for (ns, name) in [("b", "x"), ("a", "y"), ("a", "b"), ("c", "a")] {
            _ = try storage.create(StorageKey(resource: "pods", namespace: ns, name: name), [:])
        }
        _ = try storage.create(StorageKey(resource: "services", namespace: "a", name: "s"), [:])
        XCTAssertEqual(storage.list(resource: "pods", namespace: nil).items.map { "\($0.key.namespace)/\($0.key.name)" },
                       ["a/b", "a/y", "b/x", "c/a"])
        XCTAssertEqual(storage.list(resource: "pods", namespace: "a").items.count, 2)
        XCTAssertEqual(storage.list(resource: "pods", namespace: "a").revision, storage.currentRevision)
    }

    func testEventsAreOrderedAndHistoryCompacts() throws {
        let storage = MemoryStorage(historyLimit: 3)
        let start = storage.currentRevision
        final class Seen: @unchecked Sendable { var kinds: [String] = [] }
        let seen = Seen()
        storage.addListener { seen.kinds.append("\($0.kind.rawValue)@\($0.revision)") }
        _ = try storage.create(key, [:])
        _ = try storage.update(key, expectedRevision: nil, ["a": 1])
        _ = try storage.delete(key, expectedRevision: nil)
        XCTAssertEqual(seen.kinds, ["ADDED@\(start + 1)", "MODIFIED@\(start + 2)", "DELETED@\(start + 3)"])
        XCTAssertEqual(try storage.events(after: start + 1).map(\.kind), [.modified, .deleted])
        _ = try storage.create(key, [:])
        XCTAssertThrowsError(try storage.events(after: start)) { error in
            guard case .compacted = error as? StorageError else { return XCTFail("expected compacted") }
        }
        XCTAssertEqual(try storage.events(after: start + 3).count, 1)
    }

    func testConcurrentWritersGetDistinctRevisions() throws {
        let storage = MemoryStorage()
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            _ = try? storage.create(StorageKey(resource: "configmaps", namespace: "n", name: "c\(i)"), [:])
        }
        let revisions = storage.list(resource: "configmaps", namespace: nil).items.map(\.revision)
        XCTAssertEqual(Set(revisions).count, 200)
        XCTAssertEqual(try storage.events(after: 1).map(\.revision), (2...201).map { Int64($0) })
    }
}
import Foundation
