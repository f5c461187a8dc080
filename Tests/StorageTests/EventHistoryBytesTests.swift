import APIMachinery
import Foundation
@testable import Storage
import XCTest

/// The watch history bounded by bytes as well as by count: many patches of a large object must not
/// pin their every version (issue 12, item 4: 1,500 patches of a 1 MB ConfigMap held 1.5 GB).
final class EventHistoryBytesTests: XCTestCase {
    let key = StorageKey(resource: "configmaps", namespace: "default", name: "big")

    func bigConfigMap(_ step: Int, size: Int = 100_000) -> JSON {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "big", "namespace": "default"],
         "data": ["blob": .string(String(repeating: "x", count: size)), "step": .string(String(step))]]
    }

    func testManyPatchesOfALargeObjectKeepTheHistoryUnderItsByteBound() throws {
        let bound = 1_000_000
        let storage = MemoryStorage(historyLimit: 100_000, historyBytes: bound)
        let start = storage.currentRevision
        _ = try storage.create(key, bigConfigMap(0))
        for step in 1...200 {
            _ = try storage.update(key, expectedRevision: nil, bigConfigMap(step))
            XCTAssertLessThanOrEqual(storage.historyWindow.bytes, bound, "after patch \(step)")
        }
        let window = storage.historyWindow
        XCTAssertGreaterThanOrEqual(window.events, 8, "a window of 1 MB holds nine 100 KB events")
        XCTAssertLessThanOrEqual(window.events, 10)
        // The window's revisions are all there; those before it are reported compacted.
        let current = storage.currentRevision
        XCTAssertEqual(try storage.events(after: window.compactedRevision).map(\.revision),
                       Array((window.compactedRevision + 1)...current))
        XCTAssertThrowsError(try storage.events(after: start)) { error in
            XCTAssertEqual(error as? StorageError, .compacted(requested: start, oldest: window.compactedRevision))
        }
    }

    func testTheNewestEventIsKeptEvenWhenLargerThanTheBound() throws {
        let storage = MemoryStorage(historyBytes: 1_000)
        _ = try storage.create(key, bigConfigMap(0, size: 5_000))
        _ = try storage.update(key, expectedRevision: nil, bigConfigMap(1, size: 5_000))
        let window = storage.historyWindow
        XCTAssertEqual(window.events, 1)
        XCTAssertEqual(try storage.events(after: storage.currentRevision - 1).count, 1,
                       "a watcher one revision behind still resumes")
    }

    /// Events of random sizes against a plain list cut the same way: the ring keeps order and bounds
    /// across its growth, wrapping and evictions by count and by bytes.
    func testTheRingMatchesAPlainListUnderBothBounds() throws {
        var generator = SystemRandomNumberGenerator()
        for (capacity, byteLimit) in [(5, Int.max), (40, 3_000), (1_000, 2_000), (3, 100)] {
            var history = EventHistory(capacity: capacity, byteLimit: byteLimit, startRevision: 0)
            var model: [StorageEvent] = []
            var compacted: Int64 = 0
            for revision in Int64(1)...400 {
                let size = Int.random(in: 1...300, using: &generator)
                let object = StoredObject(key: key, object: [:], bytes: Array(repeating: 0x20, count: size), revision: revision)
                let event = StorageEvent(kind: .modified, object: object, previous: nil)
                history.append(event)
                model.append(event)
                while model.count > capacity || (model.count > 1 && model.reduce(0) { $0 + $1.object.bytes.count } > byteLimit) {
                    compacted = model.removeFirst().revision
                }
                XCTAssertEqual(history.compactedRevision, compacted)
                XCTAssertEqual(history.bytes, model.reduce(0) { $0 + $1.object.bytes.count })
                XCTAssertEqual(try history.events(after: compacted).map(\.revision), model.map(\.revision))
                let middle = model[model.count / 2].revision
                XCTAssertEqual(try history.events(after: middle).map(\.revision), model.map(\.revision).filter { $0 > middle })
            }
        }
    }

    func testAWatchFromARevisionDroppedForBytesIsExpired() throws {
        let storage = MemoryStorage(historyBytes: 300_000)
        let hub = WatchHub(storage: storage)
        let start = storage.currentRevision
        _ = try storage.create(key, bigConfigMap(0))
        for step in 1...10 { _ = try storage.update(key, expectedRevision: nil, bigConfigMap(step)) }
        let oldest = storage.historyWindow.compactedRevision
        XCTAssertGreaterThan(oldest, start)

        let expired = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .after(start)), consumer: expired, timeout: nil)
        expired.wait("the watch to fail") { $0 == [.failed(.expired(requested: start, oldest: oldest))] }

        let resumed = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .after(oldest)), consumer: resumed, timeout: nil)
        resumed.waitForEvents(Int(storage.currentRevision - oldest))
    }
}
