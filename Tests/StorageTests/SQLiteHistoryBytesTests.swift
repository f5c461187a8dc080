import APIMachinery
import CSQLite
import Foundation
@testable import Storage
import XCTest

/// The durable log compacted to the history's byte window, and the space given back to the file
/// system (issue 12, item 4: patches of a 1 MB ConfigMap grew the database to 1.5 GB, never released).
final class SQLiteHistoryBytesTests: SQLiteTestCase {
    static let objectSize = 100_000

    func bigConfigMap(_ step: Int) -> JSON {
        configMap("big", data: String(repeating: "x", count: Self.objectSize) + String(step))
    }

    func open(historyLimit: Int = 100_000, historyBytes: Int) throws -> SQLiteStorage {
        try SQLiteStorage(directory: directory, historyLimit: historyLimit, historyBytes: historyBytes, compactionInterval: .seconds(3600))
    }

    func patch(_ storage: SQLiteStorage, times: Int) throws {
        if storage.get(key("big")) == nil { _ = try storage.create(key("big"), bigConfigMap(0)) }
        for step in 1...times { _ = try storage.update(key("big"), expectedRevision: nil, bigConfigMap(step)) }
    }

    func pageSize(_ storage: SQLiteStorage) -> Int64 {
        storage.onCommitter { (try? $0.db.integer("PRAGMA page_size")) ?? 0 }
    }

    func testCompactionShrinksTheDatabaseFile() throws {
        // Count-bound only, so nothing compacts before the explicit compaction.
        let storage = try open(historyLimit: 5, historyBytes: .max)
        defer { storage.close() }
        try patch(storage, times: 100)
        let before = storage.databasePages
        XCTAssertGreaterThan(before * pageSize(storage), 100 * Int64(Self.objectSize))
        XCTAssertGreaterThan(storage.compact(), 90)
        let after = storage.databasePages
        XCTAssertEqual(storage.databaseFreePages, 0, "compacted pages are returned, not kept on the free list")
        XCTAssertLessThan(after * pageSize(storage), 10 * Int64(Self.objectSize), "six versions of the object remain")
        XCTAssertLessThan(fileSize(storage.databasePath), Int(before * pageSize(storage)) / 5,
                          "the file itself shrinks (checkpointed), not only its page count")
        XCTAssertLessThan(fileSize(storage.databasePath + "-wal"), 10 * Self.objectSize)
    }

    func testWritePressureCompactsToTheByteWindowWithoutWaitingForTheInterval() throws {
        let bound = 1_000_000
        let storage = try open(historyBytes: bound)
        defer { storage.close() }
        try patch(storage, times: 150)
        XCTAssertLessThanOrEqual(storage.memory.historyWindow.bytes, bound)
        // Between compactions the log holds at most the window, what was written since the last
        // compaction (at most the window again) and the live object.
        let bytes = storage.databasePages * pageSize(storage)
        XCTAssertLessThan(bytes, Int64(2 * bound + 3 * Self.objectSize), "15 MB were written")
        XCTAssertLessThan(fileSize(storage.databasePath), 2 * bound + 3 * Self.objectSize)
    }

    func testRestartKeepsTheByteWindowAndExpiresOlderRevisions() throws {
        let bound = 500_000
        var storage = try open(historyBytes: bound)
        let start = storage.currentRevision
        try patch(storage, times: 40)
        storage.compact()
        let oldest = storage.memory.historyWindow.compactedRevision
        let current = storage.currentRevision
        storage.close()

        storage = try open(historyBytes: bound)
        defer { storage.close() }
        XCTAssertEqual(storage.currentRevision, current)
        XCTAssertLessThanOrEqual(storage.memory.historyWindow.bytes, bound)
        XCTAssertEqual(try storage.events(after: oldest).last?.revision, current)
        XCTAssertThrowsError(try storage.events(after: start)) { error in
            guard case .compacted = error as? StorageError else { return XCTFail("expected compacted, got \(error)") }
        }
        XCTAssertEqual(storage.get(key("big"))?.object[path: "data", "k"]?.stringValue?.hasSuffix("40"), true)
    }

    func testNewDatabasesReturnSpaceAndOlderSmallOnesAreConvertedAtStart() throws {
        // A database as an older kubelite made it: schema, no auto-vacuum.
        let path = directory + "/" + SQLiteLog.fileName
        let old = try SQLiteConnection(path: path)
        try SQLiteSchema.migrate(old, path: path)
        XCTAssertEqual(try old.integer("PRAGMA auto_vacuum"), 0)
        old.close()

        let storage = try open(historyBytes: .max)
        defer { storage.close() }
        XCTAssertEqual(storage.onCommitter { try? $0.autoVacuum }, .incremental)
        _ = try storage.create(key("a"), configMap("a"))
        XCTAssertEqual(storage.get(key("a"))?.key, key("a"))
    }
}
