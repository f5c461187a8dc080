import Foundation

/// The data directory and its files as the durable store finds them at startup. Secrets are stored
/// in the database, so the directory is created 0700 and the database and its WAL are kept 0600
/// whatever the umask. A database file that exists but is empty is refused: a truncated or
/// clobbered `kubelite.db` would otherwise open as a new, empty cluster and the old one be lost
/// without a word.
enum SQLiteDataDirectory {
    static let directoryMode: mode_t = 0o700
    static let fileMode: mode_t = 0o600

    /// Creates `directory` and its missing parents (0700, as XDG directories are made), reporting the
    /// system's reason when it cannot; an existing directory keeps its mode.
    static func make(_ directory: String) throws(SQLiteOpenError) {
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, directoryMode) != 0, errno != EEXIST {
                throw SQLiteOpenError("cannot create the data directory \(directory): \(prefix): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Refuses a zero-length database (SQLite would take it for a new one) unless its WAL holds the
    /// data, then narrows an existing file to 0600, or creates it 0600, before SQLite
    /// opens it (SQLite gives the WAL the database file's mode).
    static func prepareDatabaseFile(_ path: String) throws(SQLiteOpenError) {
        var info = stat()
        if stat(path, &info) == 0, info.st_size == 0, size(of: path + "-wal") == 0 {
            throw SQLiteOpenError("\(path) is empty (0 bytes) in an existing data directory: refusing to start an empty "
                + "cluster in its place; restore it from a backup, or remove it to start a new cluster")
        }
        // chmod rather than open and fchmod: closing any descriptor of a file drops every POSIX lock
        // this process holds on it, SQLite's included (a second store opened on the same directory in
        // one process would no longer be refused).
        if chmod(path, fileMode) == 0 { return }
        guard errno == ENOENT else {
            throw SQLiteOpenError("cannot make \(path) private (mode 0600): \(String(cString: strerror(errno)))")
        }
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard fd >= 0 || errno == EEXIST else {
            throw SQLiteOpenError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        if fd >= 0 { close(fd) }
    }

    /// Narrows the WAL and shared-memory files SQLite made to 0600 (a database from an older kubelite
    /// may have left them readable by others); missing ones are skipped.
    static func restrictCompanionFiles(of path: String) {
        for companion in [path + "-wal", path + "-shm"] { _ = chmod(companion, fileMode) }
    }

    /// The file's size in bytes; 0 when it does not exist.
    static func size(of path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}
