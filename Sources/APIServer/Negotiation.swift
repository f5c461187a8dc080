import APIMachinery

/// The representation a response is written in, chosen from the Accept header as upstream's
/// content negotiation does: the first acceptable entry wins.
enum ResponseFormat: Sendable, Equatable {
    case json
    case yaml
    /// meta.k8s.io Table (kubectl get); `version` is v1 or v1beta1.
    case table(version: String)
    /// meta.k8s.io PartialObjectMetadata(List).
    case partialMetadata(version: String)
    /// Aggregated discovery (apidiscovery.k8s.io v2 or v2beta1).
    case discovery(version: String)

    var contentType: String {
        switch self {
        case .json: return "application/json"
        case .yaml: return "application/yaml"
        case .table(let v): return "application/json;as=Table;v=\(v);g=meta.k8s.io"
        case .partialMetadata(let v): return "application/json;as=PartialObjectMetadata;v=\(v);g=meta.k8s.io"
        case .discovery(let v): return "application/json;g=apidiscovery.k8s.io;v=\(v);as=APIGroupDiscoveryList"
        }
    }

    /// Media types the server can write, for 406 messages.
    static let supported = ["application/json", "application/yaml", "application/json;as=Table;v=v1;g=meta.k8s.io"]

    /// Chooses a format. `allowTable` is false for endpoints that only serve plain objects;
    /// `allowDiscovery` is true only for /api and /apis.
    static func negotiate(_ accept: String?, allowTable: Bool, allowDiscovery: Bool = false) throws(APIError) -> ResponseFormat {
        for media in MediaType.parseList(accept) {
            let g = media.parameters["g"], v = media.parameters["v"], asKind = media.parameters["as"]
            switch (media.type, media.subtype) {
            case ("application", "json"), ("application", "*"), ("*", "*"):
                if asKind == nil { return .json }
                if allowDiscovery, g == "apidiscovery.k8s.io", asKind == "APIGroupDiscoveryList", let v, v == "v2" || v == "v2beta1" {
                    return .discovery(version: v)
                }
                if allowTable, g == "meta.k8s.io", asKind == "Table", let v, v == "v1" || v == "v1beta1" {
                    return .table(version: v)
                }
                if allowTable, g == "meta.k8s.io", asKind == "PartialObjectMetadata" || asKind == "PartialObjectMetadataList",
                   let v, v == "v1" || v == "v1beta1" {
                    return .partialMetadata(version: v)
                }
            case ("application", "yaml"):
                if asKind == nil { return .yaml }
            default:
                continue
            }
        }
        throw APIError.notAcceptable(supported)
    }
}
