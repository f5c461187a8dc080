import Foundation

/// Sockets made in another network namespace. A socket stays in the namespace it was created in,
/// so the calling thread enters the namespace (setns), creates the socket and returns to its own
/// namespace; no other thread is affected (the network namespace is per thread, unlike the mount
/// namespace, which setns refuses in a multithreaded process).
enum NetworkNamespace {
    struct Error: Swift.Error, CustomStringConvertible { var description: String }

    /// glibc's setns, which Swift's Glibc module does not declare.
    private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    private static let CLONE_NEWNET: Int32 = 0x4000_0000
    private static let setns: SetNS? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "setns") else { return nil }
        return unsafeBitCast(symbol, to: SetNS.self)
    }()

    /// A TCP socket (IPv4 unless `family` says otherwise) created inside the namespace at `path`.
    /// Call it on a thread of one's own: if returning to the original namespace failed the thread
    /// would stay in the pod's.
    static func socket(in path: String, family: Int32 = AF_INET) throws(Error) -> Int32 {
        guard let setns else { throw Error(description: "setns is not available") }
        let own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard own >= 0 else { throw Error(description: "opening this thread's network namespace: \(NetworkProbe.goError(errno))") }
        defer { close(own) }
        let target = open(path, O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { throw Error(description: "opening the pod's network namespace: \(NetworkProbe.goError(errno))") }
        defer { close(target) }
        guard setns(target, CLONE_NEWNET) == 0 else { throw Error(description: "entering the pod's network namespace: \(NetworkProbe.goError(errno))") }
        let fd = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let socketErrno = errno
        // Should returning fail, the thread stays in the pod's namespace; callers run this on a
        // thread made for the one probe, which ends with it.
        _ = setns(own, CLONE_NEWNET)
        guard fd >= 0 else { throw Error(description: "socket: \(NetworkProbe.goError(socketErrno))") }
        return fd
    }
}
