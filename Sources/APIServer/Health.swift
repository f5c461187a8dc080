import HTTPServer

/// /healthz, /livez and /readyz answer plain `ok` as upstream does (with `?verbose`, the checks).
enum Health {
    static func answer(_ request: HTTPRequest, ready: Bool) -> HTTPResponse {
        let headers: [(name: String, value: String)] = [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff")]
        if !ready {
            return HTTPResponse(status: 500, headers: headers, body: Array("[-]serving failed: not serving yet\nreadyz check failed\n".utf8))
        }
        if request.queryValue("verbose") != nil {
            let text = "[+]ping ok\n[+]etcd ok\n[+]poststarthook/bootstrap-namespaces ok\n\(request.path.dropFirst()) check passed\n"
            return HTTPResponse(status: 200, headers: headers, body: Array(text.utf8))
        }
        return HTTPResponse(status: 200, headers: headers, body: Array("ok".utf8))
    }
}
