import APIMachinery
import KubeliteTesting
@testable import Storage
import XCTest

final class MemoryStorageSnapshotTests: XCTestCase {
    func key(_ namespace: String, _ name: String, _ resource: String = "configmaps") -> StorageKey {
        StorageKey(resource: resource, namespace: namespace, name: name)
    }

    func names(_ page: ListPage) -> [String] { page.items.map { "\($0.key.namespace)/\($0.key.name)" } }

    func testSnapshotUndoesWritesMadeAfterItsRevision() throws {
        let storage = MemoryStorage()
        for name in ["a", "b", "c"] { _ = try storage.create(key("ns", name), ["v": 1]) }
        _ = try storage.create(key("ns", "other", "secrets"), [:])
        let snapshot = storage.currentRevision
        let before = storage.list(resource: "configmaps", namespace: nil).items

        _ = try storage.update(key("ns", "b"), expectedRevision: nil, ["v": 2])
        _ = try storage.delete(key("ns", "c"), expectedRevision: nil)
        _ = try storage.create(key("ns", "d"), ["v": 1])
        _ = try storage.create(key("aa", "x"), ["v": 1])
        _ = try storage.delete(key("ns", "a"), expectedRevision: nil)
        _ = try storage.create(key("ns", "a"), ["v": 3])
        _ = try storage.delete(key("ns", "other", "secrets"), expectedRevision: nil)

        let old = try storage.list(ListRequest(resource: "configmaps", revision: snapshot))
        XCTAssertEqual(old.revision, snapshot)
        XCTAssertEqual(names(old), ["ns/a", "ns/b", "ns/c"])
        XCTAssertEqual(old.items.map(\.revision), before.map(\.revision))
        XCTAssertEqual(old.items.map(\.bytes), before.map(\.bytes))
        XCTAssertNil(old.continueAfter)

        let now = try storage.list(ListRequest(resource: "configmaps"))
        XCTAssertEqual(now.revision, storage.currentRevision)
        XCTAssertEqual(names(now), ["aa/x", "ns/a", "ns/b", "ns/d"])
        XCTAssertEqual(now.items.first { $0.key.name == "a" }?.object["v"], 3)

        XCTAssertEqual(names(try storage.list(ListRequest(resource: "configmaps", namespace: "aa", revision: snapshot))), [])
        XCTAssertEqual(names(try storage.list(ListRequest(resource: "secrets", revision: snapshot))), ["ns/other"])
    }

    func testPagesOfOneSnapshotStayConsistentWhileWritersGoOn() throws {
        let storage = MemoryStorage()
        for i in 0..<10 { _ = try storage.create(key("ns", "o\(i)"), [:]) }
        let first = try storage.list(ListRequest(resource: "configmaps", limit: 4))
        XCTAssertEqual(names(first), ["ns/o0", "ns/o1", "ns/o2", "ns/o3"])
        XCTAssertEqual(first.continueAfter, key("ns", "o3"))
        XCTAssertEqual(first.remainingCount, 6)

        _ = try storage.delete(key("ns", "o5"), expectedRevision: nil)
        _ = try storage.create(key("ns", "o45"), [:])
        _ = try storage.create(key("ns", "o0a"), [:])
        _ = try storage.update(key("ns", "o6"), expectedRevision: nil, ["changed": true])

        let second = try storage.list(ListRequest(resource: "configmaps", revision: first.revision, from: first.continueAfter!.successor, limit: 4))
        XCTAssertEqual(second.revision, first.revision)
        XCTAssertEqual(names(second), ["ns/o4", "ns/o5", "ns/o6", "ns/o7"])
        XCTAssertNil(second.items[2].object["changed"])
        XCTAssertEqual(second.remainingCount, 2)
        let third = try storage.list(ListRequest(resource: "configmaps", revision: first.revision, from: second.continueAfter!.successor, limit: 4))
        XCTAssertEqual(names(third), ["ns/o8", "ns/o9"])
        XCTAssertNil(third.continueAfter)
        XCTAssertNil(third.remainingCount)
    }

    func testPageEndingExactlyAtTheLastObjectHasNoContinuation() throws {
        let storage = MemoryStorage()
        for i in 0..<4 { _ = try storage.create(key("ns", "o\(i)"), [:]) }
        let page = try storage.list(ListRequest(resource: "configmaps", limit: 4))
        XCTAssertEqual(page.items.count, 4)
        XCTAssertNil(page.continueAfter)
    }

    func testLimitCountsOnlyObjectsThePredicateAccepts() throws {
        let storage = MemoryStorage()
        for i in 0..<30 { _ = try storage.create(key("ns", String(format: "o%02d", i)), ["i": .int(Int64(i))]) }
        let everyThird: (StoredObject) -> Bool = { ($0.object["i"]?.intValue ?? 0) % 3 == 0 }
        var request = ListRequest(resource: "configmaps", limit: 4, predicate: everyThird)
        let first = try storage.list(request)
        XCTAssertEqual(first.items.map { $0.object["i"] }, [0, 3, 6, 9])
        XCTAssertEqual(first.continueAfter, key("ns", "o09"))
        XCTAssertNil(first.remainingCount, "no count when a predicate filters")
        _ = try storage.create(key("ns", "o10a"), ["i": 99])
        request.revision = first.revision
        request.from = first.continueAfter!.successor
        request.limit = 100
        let rest = try storage.list(request)
        XCTAssertEqual(rest.items.map { $0.object["i"] }, [12, 15, 18, 21, 24, 27])
        XCTAssertNil(rest.continueAfter)
    }

    func testSnapshotOlderThanTheHistoryIsCompacted() throws {
        let storage = MemoryStorage(historyLimit: 5)
        _ = try storage.create(key("ns", "a"), [:])
        let snapshot = storage.currentRevision
        XCTAssertNoThrow(try storage.list(ListRequest(resource: "configmaps", revision: snapshot)))
        for i in 0..<6 { _ = try storage.update(key("ns", "a"), expectedRevision: nil, ["i": .int(Int64(i))]) }
        XCTAssertThrowsError(try storage.list(ListRequest(resource: "configmaps", revision: snapshot))) { error in
            guard case .compacted(let requested, let oldest) = error as? StorageError else { return XCTFail("\(error)") }
            XCTAssertEqual(requested, snapshot)
            XCTAssertGreaterThan(oldest, snapshot)
        }
    }

    func testOverlayCacheIsBoundedAndStaysCorrect() throws {
        let storage = MemoryStorage()
        var revisions: [Int64] = []
        for i in 0..<40 {
            _ = try storage.create(key("ns", String(format: "o%02d", i)), [:])
            revisions.append(storage.currentRevision)
        }
        for (i, revision) in revisions.enumerated() {
            XCTAssertEqual(try storage.list(ListRequest(resource: "configmaps", revision: revision)).items.count, i + 1)
        }
        XCTAssertLessThanOrEqual(storage.state.withLock { $0.overlays.count }, MemoryStorage.maxCachedSnapshots)
        XCTAssertEqual(try storage.list(ListRequest(resource: "configmaps", revision: revisions[3])).items.count, 4)
    }

    /// The protocol's default (for backends without an index) must agree with the memory backend.
    func testDefaultImplementationAgreesWithMemoryBackend() throws {
        let storage = MemoryStorage()
        let plain = IndexlessStorage(storage)
        for i in 0..<12 { _ = try storage.create(key(i % 2 == 0 ? "a" : "b", "o\(i)"), ["i": .int(Int64(i))]) }
        let snapshot = storage.currentRevision
        _ = try storage.delete(key("a", "o0"), expectedRevision: nil)
        _ = try storage.create(key("a", "o00"), [:])
        _ = try storage.update(key("b", "o3"), expectedRevision: nil, ["i": 33])
        for namespace in [nil, "a", "b"] as [String?] {
            for revision in [nil, snapshot] as [Int64?] {
                var request = ListRequest(resource: "configmaps", namespace: namespace, revision: revision, limit: 3)
                var fromMemory: [String] = [], fromDefault: [String] = []
                var remaining: [Int?] = []
                while true {
                    let m = try storage.list(request), d = try plain.list(request)
                    fromMemory += names(m)
                    fromDefault += names(d)
                    XCTAssertEqual(m.remainingCount, d.remainingCount)
                    remaining.append(m.remainingCount)
                    guard let next = m.continueAfter else { break }
                    XCTAssertEqual(next, d.continueAfter)
                    request.revision = m.revision
                    request.from = next.successor
                }
                XCTAssertEqual(fromMemory, fromDefault, "namespace \(namespace ?? "-") revision \(revision.map(String.init) ?? "-")")
            }
        }
    }

    func testWaitForRevisionReturnsWhenReachedOrAfterTimeout() throws {
        let storage = MemoryStorage()
        let target = storage.currentRevision + 2
        XCTAssertEqual(storage.waitForRevision(storage.currentRevision, timeout: .seconds(5)), storage.currentRevision)
        let start = ContinuousClock.now
        XCTAssertEqual(storage.waitForRevision(target, timeout: .milliseconds(100)), target - 2)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(90))
        let (a, b) = (key("ns", "a"), key("ns", "b"))
        // The writer goes once the waiter's listener is registered, so the wait is a real one.
        let listeners = storage.state.withLock { $0.listeners.count }
        let writer = Thread {
            waitUntil("the waiter listening") { storage.state.withLock { $0.listeners.count } > listeners }
            _ = try? storage.create(a, [:])
            _ = try? storage.create(b, [:])
        }
        writer.start()
        XCTAssertGreaterThanOrEqual(storage.waitForRevision(target, timeout: .seconds(5)), target)
    }

    func testSortedIndexFollowsCreatesAndDeletes() throws {
        let storage = MemoryStorage()
        var expected: [String] = []
        for i in (0..<200).shuffled() {
            let name = "n\(i)"
            _ = try storage.create(key(i % 3 == 0 ? "x" : "y", name), [:])
            expected.append((i % 3 == 0 ? "x/" : "y/") + name)
        }
        for i in stride(from: 0, to: 200, by: 7) {
            _ = try storage.delete(key(i % 3 == 0 ? "x" : "y", "n\(i)"), expectedRevision: nil)
            expected.removeAll { $0 == (i % 3 == 0 ? "x/" : "y/") + "n\(i)" }
        }
        let listed = storage.list(resource: "configmaps", namespace: nil).items.map { "\($0.key.namespace)/\($0.key.name)" }
        XCTAssertEqual(listed, expected.sorted { a, b in
            let (na, nb) = (a.split(separator: "/"), b.split(separator: "/"))
            return na[0] != nb[0] ? na[0] < nb[0] : na[1] < nb[1]
        })
        XCTAssertEqual(storage.list(resource: "configmaps", namespace: "x").items.count, expected.filter { $0.hasPrefix("x/") }.count)
    }
}

/// Forwards everything but the paged read, so the protocol's default implementation is exercised.
final class IndexlessStorage: Storage, @unchecked Sendable {
    let base: MemoryStorage
    init(_ base: MemoryStorage) { self.base = base }
    var currentRevision: Int64 { base.currentRevision }
    func get(_ key: StorageKey) -> StoredObject? { base.get(key) }
    func list(resource: String, namespace: String?) -> (items: [StoredObject], revision: Int64) { base.list(resource: resource, namespace: namespace) }
    func create(_ key: StorageKey, _ object: JSON) throws(StorageError) -> StoredObject { try base.create(key, object) }
    func update(_ key: StorageKey, expectedRevision: Int64?, _ object: JSON) throws(StorageError) -> StoredObject {
        try base.update(key, expectedRevision: expectedRevision, object)
    }
    func delete(_ key: StorageKey, expectedRevision: Int64?) throws(StorageError) -> StoredObject { try base.delete(key, expectedRevision: expectedRevision) }
    func events(after revision: Int64) throws(StorageError) -> [StorageEvent] { try base.events(after: revision) }
    func addListener(_ listener: @escaping @Sendable (StorageEvent) -> Void) -> ListenerToken { base.addListener(listener) }
    func removeListener(_ token: ListenerToken) { base.removeListener(token) }
}
