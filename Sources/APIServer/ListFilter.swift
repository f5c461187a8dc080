import APIMachinery
import HTTPServer
import Registry
import Storage

/// `labelSelector` and `fieldSelector` of a list (or deletecollection), parsed and validated once.
///
/// Upstream checks these in two steps: the syntax while decoding the query (400 before any other
/// list option is validated), the field labels a kind supports after ValidateListOptions (400
/// "field label not supported").
struct ListFilter: Sendable {
    let labels: LabelSelectorQuery?
    let fields: FieldSelectorQuery?
    let strategy: any ResourceStrategy

    /// Parses and checks both selectors.
    init(request: HTTPRequest, resource: APIResource, strategy: any ResourceStrategy) throws(APIError) {
        try self.init(parsing: request, strategy: strategy)
        try checkFieldLabels()
    }

    /// Parses the selectors' syntax only.
    init(parsing request: HTTPRequest, strategy: any ResourceStrategy) throws(APIError) {
        if let text = request.queryValue("labelSelector"), !text.isEmpty {
            let query = try LabelSelectorQuery(parsing: text)
            labels = query.isEmpty ? nil : query
        } else {
            labels = nil
        }
        if let text = request.queryValue("fieldSelector"), !text.isEmpty {
            let query = try FieldSelectorQuery(parsing: text)
            fields = query.isEmpty ? nil : query
        } else {
            fields = nil
        }
        self.strategy = strategy
    }

    /// Only fields the kind supports may be selected, as upstream's field label conversion checks.
    func checkFieldLabels() throws(APIError) {
        guard let fields else { return }
        try fields.checkSupported(Set(strategy.selectableFields(["metadata": [:]]).keys))
    }

    var isEmpty: Bool { labels == nil && fields == nil && name == nil }

    /// Only the object of this name (a watch on an item path).
    var name: String? = nil

    func restricted(toName name: String) -> ListFilter {
        var copy = self
        copy.name = name
        return copy
    }

    /// The storage predicate; nil when nothing is filtered (so the list may report remainingItemCount).
    var predicate: ((StoredObject) -> Bool)? {
        isEmpty ? nil : { matches($0.object) }
    }

    func matches(_ object: JSON) -> Bool {
        if let name, object[path: "metadata", "name"]?.stringValue != name { return false }
        if let labels {
            var map: [String: String] = [:]
            for (k, v) in object[path: "metadata", "labels"]?.objectValue ?? [:] { map[k] = v.stringValue ?? "" }
            if !labels.matches(map) { return false }
        }
        if let fields, !fields.matches(strategy.selectableFields(object)) { return false }
        return true
    }
}
