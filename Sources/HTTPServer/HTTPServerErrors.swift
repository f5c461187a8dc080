/// Responses the HTTP layer produces itself, as Kubernetes `Status` bodies so that even limits
/// enforced below the API server read like the API server's own errors.
enum HTTPServerErrors {
    static func status(code: Int, reason: String, message: String) -> HTTPResponse {
        let escaped = message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"\(escaped)\",\"reason\":\"\(reason)\",\"code\":\(code)}\n"
        return HTTPResponse(status: code, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
    }

    static func requestEntityTooLarge(limit: Int) -> HTTPResponse {
        status(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(limit)")
    }

    static func headersTooLarge(limit: Int) -> HTTPResponse {
        status(code: 431, reason: "RequestHeaderFieldsTooLarge", message: "Request header fields too large: limit is \(limit) bytes")
    }

    static let shuttingDown = status(code: 503, reason: "ServiceUnavailable", message: "the server is shutting down")
}

extension HTTPResponse {
    /// This answer with `Connection: close`: libmicrohttpd then closes the connection once it is sent,
    /// so nothing the client sent after a refused head is read as another request.
    func closingConnection() -> HTTPResponse {
        var response = self
        response.headers.append(("Connection", "close"))
        return response
    }
}
