import APIMachinery
import Dispatch
import Storage

extension ResourceStore {
    /// Upstream's watch cache waits this long for a requested revision before answering 504.
    public static let freshnessTimeout: Duration = .seconds(3)

    /// Whether the store has reached `revision`: a read at least that fresh can be served now.
    public func isFresh(_ revision: Int64) -> Bool {
        storage.currentRevision >= revision
    }

    /// Waits (bounded, blocking the caller) until the store reaches `revision`; upstream's "too large
    /// resource version" 504 if it does not. For in-process callers; HTTP requests use `whenFresh`.
    public func waitUntilFresh(_ revision: Int64) throws(APIError) {
        let reached = storage.waitForRevision(revision, timeout: Self.freshnessTimeout)
        if reached < revision { throw Self.tooLargeResourceVersion(revision, current: reached) }
    }

    /// Calls `then` once the store reaches `revision` (nil) or with upstream's 504 after
    /// `freshnessTimeout`; no thread waits meanwhile, and `then` runs on a Dispatch thread.
    public func whenFresh(_ revision: Int64, timeout: Duration = ResourceStore.freshnessTimeout,
                          then: @escaping @Sendable (APIError?) -> Void) {
        storage.notifyWhenRevision(revision, timeout: timeout) { reached in
            then(reached < revision ? Self.tooLargeResourceVersion(revision, current: reached) : nil)
        }
    }

    /// storage.NewTooLargeResourceVersionError as the API answers it: 504 with a Retry-After.
    static func tooLargeResourceVersion(_ revision: Int64, current: Int64) -> APIError {
        var error = APIError(code: 504, reason: "Timeout", message: "Timeout: Too large resource version: \(revision), current: \(current)",
                             details: .init(causes: [.init(reason: "ResourceVersionTooLarge", message: "Too large resource version")],
                                            retryAfterSeconds: 1))
        error.headers = [("Retry-After", "1")]
        return error
    }
}

extension ResourceStore {
    /// Whether a consistent read (resourceVersion "") must wait for the backend to confirm that the
    /// cache is current (etcd; see `Storage.confirmsConsistentReads`).
    public var confirmsConsistentReads: Bool { storage.confirmsConsistentReads }

    /// Calls `then` (nil) once the newest state may be read from the cache as a consistent read, or
    /// with the Status upstream answers when it cannot be: 504 Timeout with etcd unreachable, etcd's
    /// own error as a 500, 504 "Too large resource version" when the cache does not catch up in time.
    public func whenConsistent(_ then: @escaping @Sendable (APIError?) -> Void) {
        storage.whenConsistent { error in then(error.map { StorageErrors.interpret($0, during: .list(.newest)) }) }
    }
}
