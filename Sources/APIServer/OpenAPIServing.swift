import APIMachinery
import HTTPServer

/// Serves the OpenAPI v3 index and per group-version documents. The documents are built once from
/// the served resources and schemas; a test checks they equal the files committed under OpenAPI/.
struct OpenAPIServing: Sendable {
    let indexBytes: [UInt8]
    let documents: [String: [UInt8]]

    init(resources: [APIResource], schemas: SchemaSet) {
        let built = OpenAPIDocuments(resources: resources)
        indexBytes = built.index
        documents = built.documents
    }

    func index(request: HTTPRequest) -> HTTPResponse {
        Responses.json(indexBytes)
    }

    /// `api/v1`, `apis/apps/v1`, ...; the `hash` query parameter is accepted and ignored, as the
    /// documents never change while the server runs.
    func document(_ path: String, request: HTTPRequest) throws(APIError) -> HTTPResponse {
        guard let bytes = documents[path] else { throw APIError.pathNotFound }
        var response = Responses.json(bytes)
        if request.queryValue("hash") != nil {
            response.headers.append(("Cache-Control", "public, immutable"))
        }
        return response
    }
}
