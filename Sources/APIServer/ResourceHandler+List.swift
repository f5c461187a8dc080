import APIMachinery
import HTTPServer
import Registry
import Storage

extension ResourceHandler {
    func list(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: true)
        let options = try ListOptions(decoding: request)
        let filter = try ListFilter(parsing: request, strategy: store.strategy)
        try options.validate()
        try filter.checkFieldLabels()
        let scope = store.resource.namespaced ? namespace : nil
        let query = ListQuery(namespace: scope, limit: options.limit > 0 ? Int(clamping: options.limit) : 0,
                              predicate: filter.predicate, point: try options.readPoint())
        func read() throws(APIError) -> HTTPResponse {
            let page = try store.list(query)
            let meta = ObjectWriter.ListMeta(
                revision: page.revision,
                continueToken: page.continueAfter.map { ContinueToken(revision: page.revision, after: $0, namespace: scope).encoded },
                remainingItemCount: page.remainingCount)
            return try ObjectWriter(store: store, request: request).list(page.items, meta: meta, format: format)
        }
        if let revision = query.point.requiredRevision, !store.isFresh(revision) {
            return deferUntilFresh(store, revision, serve: read)
        }
        if query.point == .newest, options.resourceVersion.isEmpty {
            return try serveConsistently(store, serve: read)
        }
        return try read()
    }
}
