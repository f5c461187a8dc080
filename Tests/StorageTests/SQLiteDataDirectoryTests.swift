import APIMachinery
import Foundation
@testable import Storage
import XCTest

/// The data directory's files (issue 12, item 8): Secrets are in the database, so it is private; an
/// empty database file is a lost cluster, not a new one.
final class SQLiteDataDirectoryTests: SQLiteTestCase {
    var databasePath: String { directory + "/" + SQLiteLog.fileName }

    func mode(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode) & 0o777
    }

    func testANewDataDirectoryAndItsDatabaseArePrivateWhateverTheUmask() throws {
        let parent = directory
        directory = parent + "/new/data"
        let previous = umask(0o022)
        defer { umask(previous); directory = parent }
        let storage = try open()
        _ = try storage.create(key("secret"), configMap("secret"))
        XCTAssertEqual(mode(parent + "/new"), 0o700)
        XCTAssertEqual(mode(directory), 0o700)
        XCTAssertEqual(mode(databasePath), 0o600)
        XCTAssertEqual(mode(databasePath + "-wal"), 0o600, "the WAL holds the newest writes")
        storage.close()
        for companion in ["-shm", "-journal"] {
            if let m = mode(databasePath + companion) { XCTAssertEqual(m, 0o600, companion) }
        }
    }

    func testAnExistingDatabaseReadableByOthersIsMadePrivate() throws {
        let directoryMode = mode(directory)
        try open().close()
        XCTAssertEqual(chmod(databasePath, 0o644), 0)
        if FileManager.default.fileExists(atPath: databasePath + "-wal") { XCTAssertEqual(chmod(databasePath + "-wal", 0o644), 0) }
        let storage = try open()
        defer { storage.close() }
        _ = try storage.create(key("a"), configMap("a"))
        XCTAssertEqual(mode(databasePath), 0o600)
        XCTAssertEqual(mode(databasePath + "-wal"), 0o600)
        XCTAssertEqual(mode(directory), directoryMode, "an existing directory keeps its mode")
    }

    func testAnEmptyDatabaseFileStopsStartupInsteadOfStartingAnEmptyCluster() throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: databasePath, contents: Data()))
        let message = openFailure()
        XCTAssertTrue(message.contains("\(databasePath) is empty (0 bytes)"), message)
        XCTAssertTrue(message.contains("refusing to start an empty cluster"), message)
        XCTAssertEqual(fileSize(databasePath), 0, "the file is left as it was found")
    }

    func testADatabaseThatIsNotSQLiteStopsStartup() throws {
        try Data("not a database, just some text that is long enough to be a header".utf8)
            .write(to: URL(fileURLWithPath: databasePath))
        let message = openFailure()
        XCTAssertTrue(message.contains("is corrupt or not a kubelite database"), message)
    }

    func testAFreshDirectoryStartsANewCluster() throws {
        let parent = directory
        directory += "/fresh"
        let storage = try open()
        defer { storage.close(); directory = parent }
        _ = try storage.create(key("a"), configMap("a"))
        XCTAssertNotNil(storage.get(key("a")))
    }
}
