import APIMachinery
import HTTPServer
import Registry

/// `labelSelector` and `fieldSelector` of a list (or deletecollection), parsed and validated once.
struct ListFilter: Sendable {
    let labels: LabelSelectorQuery?
    let fields: FieldSelectorQuery?
    let strategyFields: @Sendable (JSON) -> [String: String]

    init(request: HTTPRequest, resource: APIResource, strategy: any ResourceStrategy) throws(APIError) {
        if let text = request.queryValue("labelSelector"), !text.isEmpty {
            labels = try LabelSelectorQuery(parsing: text)
        } else {
            labels = nil
        }
        if let text = request.queryValue("fieldSelector"), !text.isEmpty {
            let query = try FieldSelectorQuery(parsing: text)
            // Only fields the kind supports may be selected, as upstream's field label conversion checks.
            let known = Set(strategy.selectableFields(["metadata": [:]]).keys)
            for requirement in query.requirements where !known.contains(requirement.field) {
                throw APIError.badRequest("field label not supported: \(requirement.field)")
            }
            fields = query
        } else {
            fields = nil
        }
        strategyFields = { strategy.selectableFields($0) }
    }

    var isEmpty: Bool { labels == nil && fields == nil && name == nil }

    /// Only the object of this name (a watch on an item path).
    var name: String? = nil

    func restricted(toName name: String) -> ListFilter {
        var copy = self
        copy.name = name
        return copy
    }

    func matches(_ object: JSON) -> Bool {
        if let name, object[path: "metadata", "name"]?.stringValue != name { return false }
        if let labels {
            var map: [String: String] = [:]
            for (k, v) in object[path: "metadata", "labels"]?.objectValue ?? [:] { map[k] = v.stringValue ?? "" }
            if !labels.matches(map) { return false }
        }
        if let fields, !fields.matches(strategyFields(object)) { return false }
        return true
    }
}
