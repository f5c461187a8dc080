import HTTPServer

/// /healthz, /livez and /readyz answer plain `ok` as upstream does (with `?verbose`, the checks).
/// With etcd, kube-apiserver registers its `etcd` check on all three and `etcd-readiness` on /readyz
/// only; both fail while the storage reports a problem (etcd not answering a probe, or the watch
/// feeding the cache cut), so a replica cut off from etcd leaves a load balancer's rotation and,
/// as upstream's, fails its liveness probe too.
enum Health {
    static func answer(_ request: HTTPRequest, ready: Bool, storageProblem: String? = nil) -> HTTPResponse {
        let headers: [(name: String, value: String)] = [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff")]
        let name = String(request.path.dropFirst())
        if !ready && name == "readyz" {
            return HTTPResponse(status: 500, headers: headers, body: Array("[-]serving failed: not serving yet\nreadyz check failed\n".utf8))
        }
        let etcdChecks = name == "readyz" ? ["etcd", "etcd-readiness"] : ["etcd"]
        if storageProblem != nil {
            // Upstream withholds the reason from the response (it is logged).
            let failed = etcdChecks.map { "[-]\($0) failed: reason withheld\n" }.joined()
            let text = "[+]ping ok\n[+]log ok\n\(failed)[+]poststarthook/bootstrap-namespaces ok\n\(name) check failed\n"
            return HTTPResponse(status: 500, headers: headers, body: Array(text.utf8))
        }
        if request.queryValue("verbose") != nil {
            let passed = etcdChecks.map { "[+]\($0) ok\n" }.joined()
            let text = "[+]ping ok\n[+]log ok\n\(passed)[+]poststarthook/bootstrap-namespaces ok\n\(name) check passed\n"
            return HTTPResponse(status: 200, headers: headers, body: Array(text.utf8))
        }
        return HTTPResponse(status: 200, headers: headers, body: Array("ok".utf8))
    }
}
