import HTTPServer

/// /healthz, /livez and /readyz answer plain `ok` as upstream does (with `?verbose`, the checks).
/// The `etcd` check fails while the storage reports a problem (an etcd backend that lost etcd), as
/// kube-apiserver's does; /livez and /healthz leave it out, so a replica cut off from etcd is taken
/// out of a load balancer's rotation but not restarted.
enum Health {
    static func answer(_ request: HTTPRequest, ready: Bool, storageProblem: String? = nil) -> HTTPResponse {
        let headers: [(name: String, value: String)] = [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff")]
        if !ready {
            return HTTPResponse(status: 500, headers: headers, body: Array("[-]serving failed: not serving yet\nreadyz check failed\n".utf8))
        }
        let name = String(request.path.dropFirst())
        if storageProblem != nil {
            // Upstream withholds the reason from the response (it is logged).
            let text = "[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]poststarthook/bootstrap-namespaces ok\n\(name) check failed\n"
            return HTTPResponse(status: 500, headers: headers, body: Array(text.utf8))
        }
        if request.queryValue("verbose") != nil {
            let text = "[+]ping ok\n[+]etcd ok\n[+]poststarthook/bootstrap-namespaces ok\n\(name) check passed\n"
            return HTTPResponse(status: 200, headers: headers, body: Array(text.utf8))
        }
        return HTTPResponse(status: 200, headers: headers, body: Array("ok".utf8))
    }
}
