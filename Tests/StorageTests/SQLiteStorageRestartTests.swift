import APIMachinery
import Foundation
@testable import Storage
import XCTest

final class SQLiteStorageRestartTests: SQLiteTestCase {
    func testRestartKeepsObjectsByteForByte() throws {
        var storage = try open()
        var written: [String: StoredObject] = [:]
        for i in 0..<20 { written["cm\(i)"] = try storage.create(key("cm\(i)"), configMap("cm\(i)")) }
        written["cm3"] = try storage.update(key("cm3"), expectedRevision: written["cm3"]!.revision, configMap("cm3", data: "changed"))
        _ = try storage.delete(key("cm7"), expectedRevision: nil)
        written["cm7"] = nil
        let revision = storage.currentRevision
        storage.close()

        storage = try open()
        defer { storage.close() }
        XCTAssertEqual(storage.currentRevision, revision)
        let listed = storage.list(resource: "configmaps", namespace: "default").items
        XCTAssertEqual(listed.map(\.key.name), written.keys.sorted())
        for object in listed {
            let before = try XCTUnwrap(written[object.key.name])
            XCTAssertEqual(object.bytes, before.bytes)
            XCTAssertEqual(object.revision, before.revision)
            XCTAssertEqual(object.object, before.object)
            XCTAssertEqual(object.object[path: "metadata", "uid"], before.object[path: "metadata", "uid"])
            XCTAssertEqual(object.object[path: "metadata", "creationTimestamp"], before.object[path: "metadata", "creationTimestamp"])
            XCTAssertEqual(object.object[path: "metadata", "resourceVersion"], .string(String(before.revision)))
        }
        XCTAssertNil(storage.get(key("cm7")))
    }

    func testRevisionsKeepIncreasingAcrossRestarts() throws {
        var last: Int64 = 0
        for round in 0..<4 {
            let storage = try open()
            XCTAssertGreaterThanOrEqual(storage.currentRevision, last)
            let created = try storage.create(key("r\(round)"), configMap("r\(round)"))
            XCTAssertGreaterThan(created.revision, last)
            // A deletion as the newest write: its revision must not be handed out again either.
            let deleted = try storage.delete(key("r\(round)"), expectedRevision: created.revision)
            XCTAssertGreaterThan(deleted.revision, created.revision)
            last = deleted.revision
            storage.compact()
            storage.close()
        }
    }

    func testWatchResumesAcrossRestartFromRevisionInWindow() throws {
        var storage = try open()
        let first = try storage.create(key("a"), configMap("a"))
        let resumeFrom = first.revision
        let updated = try storage.update(key("a"), expectedRevision: first.revision, configMap("a", data: "2"))
        let second = try storage.create(key("b"), configMap("b"))
        let gone = try storage.delete(key("a"), expectedRevision: nil)
        storage.close()

        storage = try open()
        defer { storage.close() }
        let events = try storage.events(after: resumeFrom)
        XCTAssertEqual(events.map(\.kind), [.modified, .added, .deleted])
        XCTAssertEqual(events.map(\.revision), [updated.revision, second.revision, gone.revision])
        XCTAssertEqual(events[0].previous?.bytes, first.bytes)
        XCTAssertEqual(events[2].object.bytes, gone.bytes)
        XCTAssertEqual(events[2].previous?.bytes, updated.bytes)

        let hub = WatchHub(storage: storage)
        let recorder = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .after(resumeFrom)), consumer: recorder, timeout: .seconds(30))
        let after = try storage.create(key("c"), configMap("c"))
        let seen = recorder.wait("the history and the new change") { $0.count >= 4 }
        XCTAssertEqual(seen, [.event(type: "MODIFIED", name: "a", revision: updated.revision),
                              .event(type: "ADDED", name: "b", revision: second.revision),
                              .event(type: "DELETED", name: "a", revision: gone.revision),
                              .event(type: "ADDED", name: "c", revision: after.revision)])
    }

    func testResumeBeforeTheWindowIsCompactedAfterRestart() throws {
        var storage = try open(historyLimit: 5)
        let first = try storage.create(key("a"), configMap("a"))
        var current = first
        for i in 0..<20 { current = try storage.update(key("a"), expectedRevision: current.revision, configMap("a", data: "\(i)")) }
        XCTAssertEqual(storage.compact(), 15)
        storage.close()

        storage = try open(historyLimit: 5)
        defer { storage.close() }
        XCTAssertThrowsError(try storage.events(after: first.revision)) { error in
            guard case .compacted = error as? StorageError else { return XCTFail("expected compacted, got \(error)") }
        }
        XCTAssertEqual(try storage.events(after: current.revision - 5).count, 5)
        XCTAssertEqual(storage.get(key("a"))?.bytes, current.bytes)
    }

    func testCompactionBoundsTheFileUnderChurn() throws {
        let storage = try open(historyLimit: 50)
        defer { storage.close() }
        var sizes: [Int64] = []
        for round in 0..<8 {
            for i in 0..<200 {
                let name = "churn\(i % 20)"
                if round % 2 == 0, storage.get(key(name)) != nil {
                    _ = try storage.delete(key(name), expectedRevision: nil)
                } else if let existing = storage.get(key(name)) {
                    _ = try storage.update(key(name), expectedRevision: existing.revision, configMap(name, data: String(repeating: "x", count: 500)))
                } else {
                    _ = try storage.create(key(name), configMap(name, data: String(repeating: "y", count: 500)))
                }
            }
            storage.compact()
            sizes.append(storage.databasePages)
        }
        // 1600 writes of ~700 bytes would take ~300 pages uncompacted; the freed pages are reused.
        XCTAssertLessThanOrEqual(sizes.last!, sizes[1] + 4, "pages per round: \(sizes)")
        XCTAssertLessThan(sizes.last!, 100, "pages per round: \(sizes)")
    }
}
