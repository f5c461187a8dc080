import CSQLite
import Foundation

/// One change as stored in the `log` table (see `SQLiteSchema`).
struct LogRow {
    let revision: Int64
    let key: StorageKey
    let created: Bool
    let deleted: Bool
    let prevRevision: Int64
    let value: [UInt8]
}

/// The durable change log in `DIR/kubelite.db`: opened in WAL mode with `synchronous=FULL`, so a
/// committed transaction has been fsync'd, and with an exclusive lock, so a second kubelite on the
/// same directory fails at startup instead of interleaving revisions. Used by one thread at a time.
final class SQLiteLog {
    static let fileName = "kubelite.db"

    let path: String
    let db: SQLiteConnection
    /// Finalized on close: SQLite keeps a connection with live statements open (and locked).
    private var insert: SQLiteStatement?
    /// Transactions committed by `append` (each one fsync): group commit makes it smaller than the
    /// number of writes.
    private(set) var commits = 0
    /// Test hook: how many of the next appends fail as an I/O error would, after their inserts.
    var injectedFailures = 0
    /// Test hook: a pause before each commit, as a slow disk's fsync takes.
    var commitDelay: Duration = .zero

    /// Opens or creates the database in `directory` (created if missing) and migrates its schema.
    init(directory: String) throws(SQLiteOpenError) {
        try SQLiteDataDirectory.make(directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SQLiteOpenError("the data directory \(directory) is not a directory")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw SQLiteOpenError("the data directory \(directory) is not writable")
        }
        path = (directory as NSString).appendingPathComponent(Self.fileName)
        try SQLiteDataDirectory.prepareDatabaseFile(path)
        do {
            db = try SQLiteConnection(path: path)
        } catch {
            throw SQLiteOpenError.from(error, path: path)
        }
        let path = path
        do throws(SQLiteError) {
            if db.isReadOnly { throw SQLiteError(code: SQLITE_READONLY, message: "the file is read-only") }
            try db.execute("PRAGMA locking_mode=EXCLUSIVE")
            // Takes effect only on a new database (before its first table); see `returnFreePages`.
            try db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            guard try db.text("PRAGMA journal_mode=WAL") == "wal" else {
                throw SQLiteError(code: SQLITE_CANTOPEN, message: "could not switch to WAL mode")
            }
            try db.execute("PRAGMA synchronous=FULL; PRAGMA journal_size_limit=33554432")
            SQLiteDataDirectory.restrictCompanionFiles(of: path)
            let check = try db.text("PRAGMA quick_check") ?? "ok"
            if check != "ok" { throw SQLiteError(code: SQLITE_CORRUPT, message: check) }
        } catch {
            throw SQLiteOpenError.from(error, path: path)
        }
        try SQLiteSchema.migrate(db, path: path)
        do {
            try enableIncrementalVacuum()
            insert = try db.prepare("INSERT INTO log VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        } catch {
            throw SQLiteOpenError.from(error, path: path)
        }
    }

    func close() {
        insert = nil
        db.close()
    }

    /// SQLite's own ceiling for a map (SQLITE_MAX_MMAP_SIZE on Linux); a larger file is read past it as usual.
    static let replayMapBytes = 0x7fff0000

    /// The revision through which the log was compacted (see `SQLiteSchema`).
    func compactRevision() throws(SQLiteError) -> Int64 {
        try db.integer("SELECT value FROM meta WHERE name = 'compact_revision'") ?? 1
    }

    /// Every row, oldest first. The file is read through a memory map meanwhile: a restart reads
    /// all of it once, and pages mapped from the page cache are not copied into SQLite's own cache
    /// first (the copies were a quarter of a 100,000-pod restart's time). Writes never go through it.
    func replay(_ row: (LogRow) throws -> Void) throws {
        try db.execute("PRAGMA mmap_size=\(Self.replayMapBytes)")
        defer { try? db.execute("PRAGMA mmap_size=0") }
        let select = try db.prepare("SELECT revision, resource, namespace, name, created, deleted, prev_revision, value FROM log ORDER BY revision")
        while try select.step() {
            try row(LogRow(revision: select.int64(0),
                           key: StorageKey(resource: select.text(1), namespace: select.text(2), name: select.text(3)),
                           created: select.int64(4) != 0, deleted: select.int64(5) != 0,
                           prevRevision: select.int64(6), value: select.blob(7)))
        }
    }

    /// Appends `rows` in one transaction; when this returns they are on disk. On failure nothing
    /// of them is.
    func append(_ rows: [LogRow]) throws(SQLiteError) {
        do throws(SQLiteError) {
            try db.execute("BEGIN IMMEDIATE")
            guard let insert else { throw SQLiteError(code: SQLITE_MISUSE, message: "the database is closed") }
            for row in rows {
                insert.reset()
                insert.bind(1, row.revision)
                insert.bind(2, row.key.resource)
                insert.bind(3, row.key.namespace)
                insert.bind(4, row.key.name)
                insert.bind(5, row.created ? 1 : 0)
                insert.bind(6, row.deleted ? 1 : 0)
                insert.bind(7, row.prevRevision)
                insert.bind(8, row.value)
                try insert.step()
            }
            // Test hooks: the delay comes first, so a slow commit that fails stays pending for the
            // delay, as a failing fsync would, and tests can act while it is pending.
            if commitDelay > .zero { Thread.sleep(forTimeInterval: SQLiteStorage.seconds(commitDelay)) }
            if injectedFailures > 0 {
                injectedFailures -= 1
                throw SQLiteError(code: SQLITE_IOERR, message: "disk I/O error (injected)")
            }
            try db.execute("COMMIT")
            commits += 1
        } catch {
            insert?.reset()
            if db.inTransaction { try? db.execute("ROLLBACK") }
            throw error
        }
    }

    /// Deletes the rows no change after `revision` needs: those superseded at or before it, and
    /// deletions at or before it (as etcd's compaction keeps each key's newest state at the
    /// compacted revision). Returns how many rows were removed.
    @discardableResult
    func compact(through revision: Int64) throws(SQLiteError) -> Int {
        let from = try compactRevision()
        guard revision > from else { return 0 }
        do throws(SQLiteError) {
            try db.execute("BEGIN IMMEDIATE")
            try db.execute("""
                DELETE FROM log WHERE revision IN
                  (SELECT prev_revision FROM log WHERE revision > \(from) AND revision <= \(revision) AND prev_revision > 0);
                """)
            var removed = db.changes
            try db.execute("DELETE FROM log WHERE deleted = 1 AND revision > \(from) AND revision <= \(revision)")
            removed += db.changes
            try db.execute("UPDATE meta SET value = \(revision) WHERE name = 'compact_revision'")
            try db.execute("COMMIT")
            return removed
        } catch {
            if db.inTransaction { try? db.execute("ROLLBACK") }
            throw error
        }
    }

    /// Test hook: caps the database's size in pages, so writes past it fail with SQLITE_FULL as on
    /// a full disk (nil lifts the cap).
    func limitPages(_ pages: Int64?) throws(SQLiteError) {
        try db.execute("PRAGMA max_page_count=\(pages ?? 4_294_967_294)")
    }

    func pageCount() throws(SQLiteError) -> Int64 { try db.integer("PRAGMA page_count") ?? 0 }
}
