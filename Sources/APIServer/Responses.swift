import APIMachinery
import HTTPServer

/// Encodes objects and errors into HTTP responses in the negotiated format.
enum Responses {
    static func json(_ bytes: [UInt8], status: Int = 200, contentType: String = "application/json", warnings: [String] = []) -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("Content-Type", contentType)]
        for w in warnings { headers.append(("Warning", Self.warningHeader(w))) }
        return HTTPResponse(status: status, headers: headers, body: bytes)
    }

    /// `299 - "text"`, the Warning header form upstream uses for API warnings.
    static func warningHeader(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "299 - \"\(escaped)\""
    }

    /// Writes a plain object (not a resource row) as JSON or YAML, as the client accepts.
    static func object(_ value: JSON, status: Int = 200, request: HTTPRequest, warnings: [String] = []) throws(APIError) -> HTTPResponse {
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: false)
        return encode(value, bytes: nil, format: format, status: status, warnings: warnings)
    }

    static func encode(_ value: JSON, bytes: [UInt8]?, format: ResponseFormat, status: Int = 200, warnings: [String] = []) -> HTTPResponse {
        switch format {
        case .yaml:
            var response = json(Array(YAMLCodec.encode(value).utf8), status: status, contentType: "application/yaml", warnings: warnings)
            response.headers[0].value = "application/yaml"
            return response
        default:
            return json(bytes ?? JSONWriter.encode(value), status: status, warnings: warnings)
        }
    }

    /// Any error as a `Status`; errors that are not API errors become 500 InternalError.
    static func status(_ error: APIError, request: HTTPRequest) -> HTTPResponse {
        var format = (try? ResponseFormat.negotiate(request.header("accept"), allowTable: false)) ?? .json
        if case .yaml = format {} else { format = .json }
        var response = encode(error.status, bytes: nil, format: format, status: error.code)
        response.headers.append(contentsOf: error.headers)
        return response
    }

    static func success(details: JSON) -> JSON {
        ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success", "details": details]
    }
}
