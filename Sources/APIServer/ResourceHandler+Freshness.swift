import APIMachinery
import HTTPServer
import Registry

extension ResourceHandler {
    /// Serves a read that asks for a state at least as new as `revision`, which the store has not
    /// reached: the answer is deferred and the connection suspended until the store reaches it (then
    /// `serve` runs on a Dispatch thread) or upstream's 3 s pass (504 ResourceVersionTooLarge). No
    /// serving thread waits, so clients asking for future revisions cannot starve /readyz and everyone
    /// else. Callers serve inline when `store.isFresh(revision)`, the common case.
    func deferUntilFresh(_ store: ResourceStore, _ revision: Int64,
                         serve: @escaping () throws(APIError) -> HTTPResponse) -> HTTPResponse {
        deferUntil({ store.whenFresh(revision, then: $0) }, serve: serve)
    }

    /// Serves a consistent read (resourceVersion "") once the store has confirmed its cache is
    /// current (etcd: its revision read, the cache caught up), deferred the same way; inline when
    /// the store's cache is always current (memory, SQLite).
    func serveConsistently(_ store: ResourceStore, serve: @escaping () throws(APIError) -> HTTPResponse) throws(APIError) -> HTTPResponse {
        guard store.confirmsConsistentReads else { return try serve() }
        return deferUntil({ store.whenConsistent($0) }, serve: serve)
    }

    /// Suspends the answer until `wait` calls back: then `serve` runs (nil), or its error is answered.
    private func deferUntil(_ wait: (@escaping @Sendable (APIError?) -> Void) -> Void,
                            serve: @escaping () throws(APIError) -> HTTPResponse) -> HTTPResponse {
        // Runs exactly once, on the thread that completes the answer, after this handler returned.
        nonisolated(unsafe) let serve = serve
        let deferred = DeferredResponse()
        let server = self.server, served = self.served
        wait { error in
            let response: HTTPResponse
            do throws(APIError) {
                if let error { throw error }
                response = try serve()
            } catch {
                response = Responses.status(error, request: served.request)
            }
            deferred.complete(server.finish(response, served))
        }
        return .deferred(deferred)
    }
}

extension ReadPoint {
    /// The revision the store must have reached before a read at this point is served.
    var requiredRevision: Int64? {
        switch self {
        case .notOlderThan(let revision), .exact(let revision): return revision
        case .newest, .continuing: return nil
        }
    }
}
