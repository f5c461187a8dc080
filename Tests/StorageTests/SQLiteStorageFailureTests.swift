import APIMachinery
import CSQLite
import Foundation
@testable import Storage
import XCTest

final class SQLiteStorageFailureTests: SQLiteTestCase {
    var databasePath: String { directory + "/kubelite.db" }

    func testCorruptFileStopsStartup() throws {
        try Data(repeating: 0x5a, count: 8192).write(to: URL(fileURLWithPath: databasePath))
        let message = openFailure()
        XCTAssertTrue(message.contains("is corrupt or not a kubelite database"), message)
        XCTAssertTrue(message.contains(databasePath), message)
    }

    func testCorruptPagesInsideTheDatabaseStopStartup() throws {
        let storage = try open()
        for i in 0..<300 { _ = try storage.create(key("c\(i)"), configMap("c\(i)", data: String(repeating: "z", count: 200))) }
        storage.close()
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: databasePath))
        try handle.seek(toOffset: 4096 * 3)
        handle.write(Data(repeating: 0xff, count: 4096 * 4))
        try handle.close()
        let message = openFailure()
        XCTAssertTrue(message.contains("corrupt"), message)
    }

    func testNewerSchemaStopsStartup() throws {
        try open().close()
        var db: OpaquePointer?
        XCTAssertEqual(sqlite3_open(databasePath, &db), SQLITE_OK)
        XCTAssertEqual(sqlite3_exec(db, "UPDATE schema_version SET version = 99", nil, nil, nil), SQLITE_OK)
        sqlite3_close(db)
        let message = openFailure()
        XCTAssertTrue(message.contains("schema version 99, newer than the 1 this kubelite supports"), message)
    }

    func testDataDirectoryThatCannotBeCreatedStopsStartup() throws {
        let file = directory + "/file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        directory = file + "/data"
        let message = openFailure()
        XCTAssertTrue(message.contains("cannot create the data directory \(directory)"), message)
        directory = file
        XCTAssertTrue(openFailure().contains("the data directory \(file) is not a directory"))
    }

    func testUnwritableDataDirectoryStopsStartup() throws {
        if getuid() == 0 { throw XCTSkip("root writes to any directory; the e2e test covers a read-only mount") }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory) }
        XCTAssertTrue(openFailure().contains("is not writable"))
    }

    func testSecondOpenOfTheSameDirectoryFails() throws {
        let storage = try open()
        defer { storage.close() }
        XCTAssertTrue(openFailure().contains("in use by another process"))
    }

    func testInjectedIOErrorAnswersUnavailableAndRecovers() throws {
        let storage = try open()
        defer { storage.close() }
        let kept = try storage.create(key("kept"), configMap("kept"))
        let before = storage.currentRevision
        storage.failNextCommits(1)
        XCTAssertThrowsError(try storage.create(key("lost"), configMap("lost"))) { error in
            guard case .unavailable(let why) = error as? StorageError else { return XCTFail("expected unavailable, got \(error)") }
            XCTAssertTrue(why.contains("disk I/O error"), why)
        }
        XCTAssertNil(storage.get(key("lost")))
        XCTAssertEqual(storage.currentRevision, before)
        XCTAssertEqual(storage.get(key("kept"))?.bytes, kept.bytes)
        XCTAssertEqual(storage.list(resource: "configmaps", namespace: nil).items.count, 1)

        let later = try storage.create(key("lost"), configMap("lost"))
        XCTAssertGreaterThan(later.revision, before + 1, "the failed write's revision is skipped, not reused")
        storage.close()
        let reopened = try open()
        defer { reopened.close() }
        XCTAssertEqual(reopened.list(resource: "configmaps", namespace: nil).items.map(\.key.name), ["kept", "lost"])
    }

    func testFullDiskAnswersUnavailableKeepsReadsAndRecoversWhenSpaceReturns() throws {
        let storage = try open()
        defer { storage.close() }
        let kept = try storage.create(key("kept"), configMap("kept"))
        try storage.limitDatabasePages(storage.databasePages)
        var failures = 0
        for i in 0..<200 {
            do {
                _ = try storage.create(key("big\(i)"), configMap("big\(i)", data: String(repeating: "f", count: 2000)))
            } catch {
                guard case .unavailable(let why) = error else { return XCTFail("expected unavailable, got \(error)") }
                XCTAssertTrue(why.contains("full"), why)
                failures += 1
            }
        }
        XCTAssertGreaterThan(failures, 0)
        XCTAssertEqual(storage.get(key("kept"))?.bytes, kept.bytes)
        let stored = storage.list(resource: "configmaps", namespace: nil).items.count
        try storage.limitDatabasePages(nil)
        _ = try storage.create(key("after"), configMap("after", data: String(repeating: "f", count: 2000)))
        XCTAssertEqual(storage.list(resource: "configmaps", namespace: nil).items.count, stored + 1)
    }
}
