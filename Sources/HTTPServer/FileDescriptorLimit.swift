#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit, which bounds how many connections the server can hold: at the
/// limit `accept` fails and every client, `/readyz` included, is locked out. The connection limit is
/// therefore kept below it, leaving room for what else needs descriptors (the database and its
/// journal, the cluster DNS sockets, libmicrohttpd's epoll and wake-up descriptors, pipes of exec
/// sessions, name lookups).
public enum FileDescriptorLimit {
    /// The current soft limit.
    public static var current: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(min(limit.rlim_cur, rlim_t(Int32.max)))
    }

    /// Raises the soft limit to the hard limit (any process may), as servers such as Go's runtime
    /// do at start, and returns the soft limit in force after.
    @discardableResult
    public static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return current
    }

    /// Descriptors kept for everything but client connections: a tenth of the limit, 128 at least.
    public static func reserve(for descriptors: Int) -> Int {
        max(128, descriptors / 10)
    }

    /// The most connections that fit under `descriptors` with the reserve kept free.
    public static func connectionLimit(for descriptors: Int) -> Int {
        max(16, descriptors - reserve(for: descriptors))
    }
}
