/// The database layout, versioned in `schema_version` and brought up to date by migrations at
/// startup, each in the same transaction as its version bump.
///
/// Version 1, as kine lays out its SQL backends but without kine's index per key (reads are served
/// from memory, so the log is only appended, replayed at startup and compacted by revision):
/// - `log`: one append-only row per change. `value` is the object's JSON as served (stamped with
///   its resourceVersion; for a deletion, the last state stamped with the deletion's revision),
///   `prev_revision` the row this one supersedes (0 for a creation), `created`/`deleted` the kind.
/// - `meta`: `compact_revision`, the revision through which the log was compacted: every row at or
///   below it is the newest state of a live key at that revision; changes after it are all kept.
enum SQLiteSchema {
    /// The newest version this build writes; a database with a newer one is refused.
    static let version: Int64 = 1

    /// Migrations by the version they produce; `migrations[0]` creates version 1.
    static let migrations: [String] = [
        """
        CREATE TABLE log(
            revision INTEGER PRIMARY KEY,
            resource TEXT NOT NULL,
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            created INTEGER NOT NULL,
            deleted INTEGER NOT NULL,
            prev_revision INTEGER NOT NULL,
            value BLOB NOT NULL);
        CREATE TABLE meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO meta VALUES('compact_revision', 1);
        """,
    ]

    /// Brings the database to `version`, or refuses one written by a newer kubelite.
    static func migrate(_ db: SQLiteConnection, path: String) throws(SQLiteOpenError) {
        do {
            try db.execute("BEGIN IMMEDIATE")
            try db.execute("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)")
            let found = try db.integer("SELECT max(version) FROM schema_version") ?? 0
            if found > version {
                try db.execute("ROLLBACK")
                throw SQLiteOpenError("\(path) has schema version \(found), newer than the \(version) this kubelite supports; run a newer kubelite or choose another --data-dir")
            }
            for next in found..<version {
                try db.execute(migrations[Int(next)])
                try db.execute("DELETE FROM schema_version; INSERT INTO schema_version VALUES(\(next + 1))")
            }
            try db.execute("COMMIT")
        } catch let error as SQLiteOpenError {
            throw error
        } catch {
            if db.inTransaction { try? db.execute("ROLLBACK") }
            throw SQLiteOpenError.from(error as! SQLiteError, path: path)
        }
    }
}

/// Why the durable store could not start; the CLI prints it and exits non-zero.
public struct SQLiteOpenError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }

    /// A clear message for SQLite's failures at startup.
    static func from(_ error: SQLiteError, path: String) -> SQLiteOpenError {
        switch error.code & 0xff {
        case 26, 11: // SQLITE_NOTADB, SQLITE_CORRUPT
            return SQLiteOpenError("\(path) is corrupt or not a kubelite database (\(error.message)); restore it from a backup or move it aside")
        case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
            return SQLiteOpenError("\(path) is in use by another process (another kubelite on the same --data-dir?)")
        case 8, 14: // SQLITE_READONLY, SQLITE_CANTOPEN
            return SQLiteOpenError("cannot open \(path) for writing: \(error.message)")
        default:
            return SQLiteOpenError("cannot open \(path): \(error)")
        }
    }
}
