import Foundation

/// upstream's proxy Transport.rewriteURL for a redirect's `Location`: a URL on the proxied target's
/// host (or the host the client asked), with an absolute path, is sent back under the proxy path
/// (`/api/v1/namespaces/ns/pods/web/proxy/next`); any other URL is left as it is.
enum ProxyRedirect {
    static func rewrite(_ location: String, prefix: String, targetHost: String, requestHost: String) -> String {
        guard let url = URLComponents(string: location) else { return location }
        let host = url.host.map { h in url.port.map { "\(h):\($0)" } ?? h } ?? ""
        let differentHost = !host.isEmpty && host != targetHost && host != requestHost
        let path = url.percentEncodedPath
        guard !differentHost, path.hasPrefix("/") else { return location }
        // The server's own request URL has no scheme or host: the rewritten URL is a path.
        var rewritten = URLComponents()
        rewritten.percentEncodedQuery = url.percentEncodedQuery
        rewritten.percentEncodedFragment = url.percentEncodedFragment
        if host == requestHost, !host.isEmpty {
            rewritten.scheme = url.scheme
            rewritten.percentEncodedHost = url.percentEncodedHost
            rewritten.port = url.port
        }
        if path.hasPrefix(prefix) {
            rewritten.percentEncodedPath = path
        } else {
            rewritten.percentEncodedPath = prefix + path
        }
        return rewritten.string ?? location
    }
}
