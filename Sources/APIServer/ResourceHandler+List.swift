import APIMachinery
import HTTPServer
import Registry
import Storage

extension ResourceHandler {
    func list(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: true)
        let filter = try ListFilter(request: request, resource: store.resource, strategy: store.strategy)
        let (items, revision) = store.list(namespace: namespace)
        let selected = filter.isEmpty ? items : items.filter { filter.matches($0.object) }
        return try ObjectWriter(store: store, request: request).list(selected, revision: revision, format: format)
    }

}
