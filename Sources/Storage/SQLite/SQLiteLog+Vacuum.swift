/// Giving the space of compacted rows back to the file system.
///
/// SQLite keeps deleted pages on a free list and reuses them, but never shrinks the file unless the
/// database is in `auto_vacuum=INCREMENTAL` (or FULL) mode; then `PRAGMA incremental_vacuum` moves the
/// free pages to the end and truncates them away (in WAL mode, at the next checkpoint). The mode can
/// only be chosen before the first table is created, or by rewriting the whole file with `VACUUM`:
/// new databases get it at creation, and an older one is rewritten once at startup when it is small
/// enough for that to be quick (`vacuumAtStartLimit`); a larger one keeps working, its free pages
/// reused for new rows but not returned (convert it offline with
/// `sqlite3 kubelite.db 'PRAGMA auto_vacuum=INCREMENTAL; VACUUM'`).
extension SQLiteLog {
    /// Databases up to this size are converted to incremental vacuum at startup (a VACUUM rewrites
    /// the file, about a second per 100 MB here, and needs as much free space again).
    static let vacuumAtStartLimit: Int64 = 256 << 20

    /// SQLite's `auto_vacuum` modes.
    enum AutoVacuum: Int64 {
        case none = 0, full = 1, incremental = 2
    }

    var autoVacuum: AutoVacuum {
        get throws(SQLiteError) { AutoVacuum(rawValue: try db.integer("PRAGMA auto_vacuum") ?? 0) ?? .none }
    }

    /// Switches an existing database without auto-vacuum to incremental mode with one VACUUM when it
    /// is small enough; a new database already is.
    func enableIncrementalVacuum() throws(SQLiteError) {
        guard try autoVacuum == .none else { return }
        let pageSize = try db.integer("PRAGMA page_size") ?? 4096
        guard try pageCount() * pageSize <= Self.vacuumAtStartLimit else { return }
        try db.execute("PRAGMA auto_vacuum=INCREMENTAL; VACUUM")
    }

    /// Truncates the file by its free pages, then checkpoints the WAL into it so the space is
    /// returned now rather than at some later checkpoint. Returns the pages freed.
    @discardableResult
    func returnFreePages() throws(SQLiteError) -> Int64 {
        guard try autoVacuum == .incremental else { return 0 }
        let free = try freePageCount()
        guard free > 0 else { return 0 }
        try db.execute("PRAGMA incremental_vacuum")
        _ = try db.text("PRAGMA wal_checkpoint(TRUNCATE)")
        return free - (try freePageCount())
    }

    func freePageCount() throws(SQLiteError) -> Int64 { try db.integer("PRAGMA freelist_count") ?? 0 }
}
