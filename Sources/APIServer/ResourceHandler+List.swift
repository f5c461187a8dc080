import APIMachinery
import HTTPServer
import Registry
import Storage

extension ResourceHandler {
    /// Upstream's watch cache waits this long for a requested revision before answering 504.
    static let freshnessTimeout: Duration = .seconds(3)

    func list(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: true)
        let options = try ListOptions(decoding: request)
        let filter = try ListFilter(parsing: request, strategy: store.strategy)
        try options.validate()
        try filter.checkFieldLabels()
        let scope = store.resource.namespaced ? namespace : nil
        let point = try options.readPoint()
        var read = ListRequest(resource: store.storageResource, namespace: scope,
                               limit: options.limit > 0 ? Int(clamping: options.limit) : 0, predicate: filter.predicate)
        switch point {
        case .newest:
            break
        case .notOlderThan(let revision):
            try waitUntilFresh(store, revision)
        case .exact(let revision):
            try waitUntilFresh(store, revision)
            read.revision = revision
        case .continuing(let token):
            // A negative revision (handed out with a 410) continues at the newest state.
            read.revision = token.revision > 0 ? token.revision : nil
            read.from = token.from(resource: read.resource, namespace: scope, namespaced: store.resource.namespaced)
        }
        let page: ListPage
        do {
            page = try store.storage.list(read)
        } catch {
            throw Self.listError(error, point: point)
        }
        let meta = ObjectWriter.ListMeta(
            revision: page.revision,
            continueToken: page.continueAfter.map { ContinueToken(revision: page.revision, after: $0, namespace: scope).encoded },
            remainingItemCount: page.remainingCount)
        return try ObjectWriter(store: store, request: request).list(page.items, meta: meta, format: format)
    }

    /// A get's resourceVersion asks for a state at least that fresh: wait for it as upstream's cache does.
    func waitForGetResourceVersion(_ store: ResourceStore) throws(APIError) {
        if case .notOlderThan(let revision) = try ListOptions.getReadPoint(request) {
            try waitUntilFresh(store, revision)
        }
    }

    /// Waits (bounded) until the store reaches `revision`; upstream's "too large resource version"
    /// 504 (storage.NewTooLargeResourceVersionError) if it does not.
    func waitUntilFresh(_ store: ResourceStore, _ revision: Int64) throws(APIError) {
        let reached = store.storage.waitForRevision(revision, timeout: Self.freshnessTimeout)
        guard reached < revision else { return }
        var error = APIError(code: 504, reason: "Timeout", message: "Timeout: Too large resource version: \(revision), current: \(reached)",
                             details: .init(causes: [.init(reason: "ResourceVersionTooLarge", message: "Too large resource version")],
                                            retryAfterSeconds: 1))
        error.headers = [("Retry-After", "1")]
        throw error
    }

    /// The etcd store's answers when a list's revision has left the history
    /// (k8s.io/apiserver/pkg/storage/etcd3/errors.go).
    static func listError(_ error: StorageError, point: ListOptions.ReadPoint) -> APIError {
        guard case .compacted = error else {
            if case .unavailable(let why) = error { return .internalError(why) }
            return .internalError("\(error)")
        }
        guard case .continuing(let token) = point else {
            return .gone("The resourceVersion for the provided list is too old.")
        }
        var gone = APIError.gone("The provided continue parameter is too old to display a consistent list result. "
            + "You can start a new list without the continue parameter, or use the continue token in this response to "
            + "retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - "
            + "objects that were created, modified, or deleted between the time the first chunk was returned and now may "
            + "show up in the list.")
        gone.continueToken = ContinueToken(revision: -1, start: token.start).encoded
        return gone
    }
}
