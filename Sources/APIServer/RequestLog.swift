import APIMachinery
import Foundation
import HTTPServer
import Logging

/// The request log, as kube-apiserver's httplog (k8s.io/apiserver/pkg/server/httplog) writes it:
/// one line per request, `"HTTP" verb="GET" URI="/api/v1/pods?limit=500" latency="1.2ms"
/// userAgent="kubectl/v1.32.0" audit-ID="1c5a…" srcIP="127.0.0.1:52144" resp=200`.
///
/// Upstream writes every request's line at verbosity 3, which a server run at its default
/// verbosity does not show, and separately traces requests slower than 500 ms (its handlers'
/// `LogIfLong`). Kubelite keeps that split in swift-log's levels: every request at debug; at info
/// only those worth a look at default verbosity: a server error (status >= 500, upstream's
/// "stack trace" statuses), a request slower than `slowThreshold`, and the end of every watch
/// (its latency is the watch's duration). A 404 on a GET is a normal answer and stays at debug.
struct RequestLog: Sendable {
    let logger: Logger
    /// Upstream's handlers log traces of requests over 500 ms; `--request-log-threshold` changes it.
    let slowThreshold: Duration

    /// What one finished request looks like in the log: httplog's fields, the client's address as
    /// Go's `RemoteAddr`, and for a watch the events it sent.
    struct Entry: Sendable {
        var verb, uri, userAgent, sourceAddress: String
        var status: Int
        var latency: Duration
        var isWatch: Bool
        var watchEvents: Int?
        var auditID = ""

        init(request: HTTPRequest, status: Int, latency: Duration, isWatch: Bool) {
            (verb, uri) = (RequestLog.verb(of: request, isWatch: isWatch), RequestLog.uri(of: request))
            (userAgent, sourceAddress) = (request.userAgent, request.remoteAddress)
            (self.status, self.latency, self.isWatch) = (status, latency, isWatch)
        }
    }

    /// The level a request is logged at: info for what an operator should see, debug for the rest.
    func level(status: Int, latency: Duration, isWatch: Bool) -> Logger.Level {
        isWatch || status >= 500 || latency >= slowThreshold ? .info : .debug
    }

    /// Whether the logger shows such a request; lets the caller skip building the line.
    func isLogged(status: Int, latency: Duration, isWatch: Bool) -> Bool {
        logger.logLevel <= level(status: status, latency: latency, isWatch: isWatch)
    }

    func record(_ entry: Entry) {
        let level = level(status: entry.status, latency: entry.latency, isWatch: entry.isWatch)
        guard logger.logLevel <= level else { return }
        logger.log(level: level, "\(Self.line(entry))")
    }

    /// httplog's key/value line; strings are quoted as klog quotes them (Go's %q).
    static func line(_ entry: Entry) -> String {
        var line = "\"HTTP\" verb=\(FieldError.quote(entry.verb)) URI=\(FieldError.quote(entry.uri)) latency=\(FieldError.quote(GoDuration.string(entry.latency)))"
            + " userAgent=\(FieldError.quote(entry.userAgent)) audit-ID=\(FieldError.quote(entry.auditID)) srcIP=\(FieldError.quote(entry.sourceAddress)) resp=\(entry.status)"
        if let events = entry.watchEvents { line += " watchEvents=\(events)" }
        return line
    }

    /// upstream's metrics.NormalizedVerb: the HTTP method, except LIST for a collection GET, WATCH
    /// for a watch and APPLY for a server-side apply patch.
    static func verb(of request: HTTPRequest, isWatch: Bool) -> String {
        if isWatch { return "WATCH" }
        if request.method == "PATCH", request.header("content-type")?.hasPrefix("application/apply-patch") == true { return "APPLY" }
        if request.method == "GET", let info = RequestInfo(method: request.method, path: request.path, isWatch: false), info.verb == "list" {
            return "LIST"
        }
        return request.method
    }

    /// The request target as the client sent it (Go's `RequestURI`): libmicrohttpd hands over the
    /// path and query decoded, so the query is encoded again.
    static func uri(of request: HTTPRequest) -> String {
        guard !request.query.isEmpty else { return request.path }
        let query = request.query.map { "\(encode($0.name))=\(encode($0.value))" }.joined(separator: "&")
        return "\(request.path)?\(query)"
    }

    private static let queryAllowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~,:/"))

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? text
    }
}
