import APIMachinery
import HTTPServer

/// `/openapi/v2` in its two representations, as kube-openapi's handler serves them: JSON, and
/// gnostic's protobuf (what client-go's `OpenAPISchema`, and so kubectl and Helm 3, ask for). Each
/// has its ETag (the quoted uppercase hex SHA-512 of its bytes); a matching `If-None-Match` gets
/// 304, and an Accept header naming neither gets 406.
struct OpenAPIV2Representations: Sendable {
    static let protobufAccepted = ["com.github.proto-openapi.spec.v2@v1.0+protobuf", "com.github.proto-openapi.spec.v2.v1.0+protobuf"]
    static let protobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

    struct Representation: Sendable {
        let bytes: [UInt8]
        let contentType: String
        let etag: String

        init(bytes: [UInt8], contentType: String) {
            self.bytes = bytes
            self.contentType = contentType
            etag = "\"\(SHA512.hexDigest(bytes))\""
        }
    }

    let json: Representation
    let protobuf: Representation

    init(v3Documents: [[UInt8]]) {
        let parsed = v3Documents.compactMap { try? JSONParser.parse($0).value }
        let document = OpenAPIV2Document.build(fromV3: parsed)
        json = Representation(bytes: JSONWriter.encode(document), contentType: "application/json")
        protobuf = Representation(bytes: OpenAPIV2Protobuf.encode(document), contentType: Self.protobufContentType)
    }

    /// The representation the Accept header prefers (by q, then order, as goautoneg), or 406.
    func serve(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let clauses = MediaType.parseList(request.header("Accept")).enumerated().sorted { a, b in
            let qa = a.element.parameters["q"].flatMap(Double.init) ?? 1, qb = b.element.parameters["q"].flatMap(Double.init) ?? 1
            return qa != qb ? qa > qb : a.offset < b.offset
        }.map(\.element)
        for clause in clauses {
            guard clause.type == "application" || clause.type == "*" else { continue }
            let chosen: Representation
            if clause.subtype == "json" || clause.subtype == "*" {
                chosen = json
            } else if Self.protobufAccepted.contains(clause.subtype) {
                chosen = protobuf
            } else {
                continue
            }
            var headers: [(String, String)] = [("Content-Type", chosen.contentType), ("Etag", chosen.etag), ("Vary", "Accept")]
            if let match = request.header("If-None-Match"), match.split(separator: ",").contains(where: { $0.trimmingASCIIWhitespace() == chosen.etag }) {
                headers.removeFirst()
                return HTTPResponse(status: 304, headers: headers)
            }
            return HTTPResponse(status: 200, headers: headers, body: chosen.bytes)
        }
        throw APIError.notAcceptable(["application/json", Self.protobufContentType])
    }
}
