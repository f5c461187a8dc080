import APIMachinery
import HTTPServer
import Registry
import Storage

extension ResourceHandler {
    /// `?watch=true` (or the legacy /watch/ paths): a chunked stream of events, starting from the
    /// current state (resourceVersion unset or "0"), from a revision (resourceVersion=N), or with
    /// the initial state closed by a bookmark (sendInitialEvents=true), as upstream serves watches.
    func watch(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: true)
        let options = try WatchOptions(request)
        var filter = try ListFilter(request: request, resource: store.resource, strategy: store.strategy)
        if !info.name.isEmpty { filter = filter.restricted(toName: info.name) }

        let encoderFormat: WatchEventEncoder.Format
        switch format {
        case .table(let version):
            encoderFormat = .table(version: version, includeObject: try TableBuilder.includeObject(request.queryValue("includeObject")))
        default:
            encoderFormat = .json
        }
        let resource = store.resource
        let stream = WatchStream(encoder: WatchEventEncoder(format: encoderFormat, strategy: store.strategy, clock: store.clock,
                                                            cache: server.eventLineCache),
                                 metrics: server.metrics.watchEvents.recorder(group: resource.group, version: resource.version,
                                                                              resource: resource.plural))
        let matcher = filter
        var predicate: (@Sendable (JSON) -> Bool)?
        if !matcher.isEmpty { predicate = { @Sendable object in matcher.matches(object) } }
        stream.handle = store.watch(namespace: namespace, start: options.start, bookmarks: options.allowBookmarks,
                                    filter: predicate, consumer: stream, timeout: options.timeout)
        let contentType: String
        if case .table = encoderFormat { contentType = format.contentType } else { contentType = "application/json" }
        return HTTPResponse(status: 200, headers: [("Content-Type", contentType), ("Cache-Control", "no-cache, private")], stream: stream)
    }
}

/// Watch parameters, decoded and validated in upstream's order: query conversion (400), then
/// ValidateListOptions' watch rules (422), then the storage's resourceVersion parse (500).
struct WatchOptions {
    var start: WatchRequest.Start
    var allowBookmarks: Bool
    var timeout: Duration?

    init(_ request: HTTPRequest) throws(APIError) {
        allowBookmarks = request.queryValue("allowWatchBookmarks").map(GoInt.parseBool) ?? false
        let sendInitialEvents = request.queryValue("sendInitialEvents").map(GoInt.parseBool)
        timeout = try Self.timeout(request.queryValue("timeoutSeconds"))
        let match = request.queryValue("resourceVersionMatch") ?? ""
        var errors: [FieldError] = []
        if sendInitialEvents != nil, match != "NotOlderThan" {
            errors.append(.forbidden(FieldPath("resourceVersionMatch"), "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"))
        }
        if !match.isEmpty {
            if sendInitialEvents == nil {
                errors.append(.forbidden(FieldPath("resourceVersionMatch"), "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"))
            }
            if match != "NotOlderThan" {
                errors.append(.notSupported(FieldPath("resourceVersionMatch"), .string(match), ["NotOlderThan"]))
            }
            if let token = request.queryValue("continue"), !token.isEmpty {
                errors.append(.forbidden(FieldPath("resourceVersionMatch"), "resourceVersionMatch is forbidden when continue is provided"))
            }
        }
        if !errors.isEmpty { throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "ListOptions"), "", errors) }

        let revision = try Self.revision(request.queryValue("resourceVersion") ?? "")
        switch sendInitialEvents {
        case true?:
            // The closing bookmark goes only to watchers that accept bookmarks, as upstream's cacher decides.
            start = allowBookmarks ? .initialEventsWithBookmark : .currentState
        case false?:
            start = revision.map { .after($0) } ?? .mostRecent
        case nil:
            start = revision.map { .after($0) } ?? .currentState
        }
    }

    /// Go's strconv.ParseInt, as upstream converts `timeoutSeconds`; 0 means the server's default and
    /// a negative value ends the watch at once.
    static func timeout(_ value: String?) throws(APIError) -> Duration? {
        guard let value else { return nil }
        guard let seconds = GoInt.parseInt64(value) else { throw APIError.badRequest(GoInt.syntaxError("ParseInt", value)) }
        return seconds == 0 ? nil : .seconds(seconds)
    }

    /// The watch's resourceVersion parse; nil for unset or "0" (no start revision). A malformed value
    /// is the client's error: 400 with the list's text. kube-apiserver 1.32's cacher still returns the
    /// parse error unconverted (a bare 500, kubernetes#139485); its fix (kubernetes#139525) answers 400,
    /// as a list does, and a 500 here would send clients into retries.
    static func revision(_ value: String) throws(APIError) -> Int64? {
        if value.isEmpty || value == "0" { return nil }
        guard let parsed = GoInt.parseUInt64(value) else {
            let field = FieldError.invalid(FieldPath("resourceVersion"), value, GoInt.syntaxError("ParseUint", value))
            throw APIError.badRequest("invalid resource version: \(field.description)")
        }
        return parsed == 0 ? nil : Int64(clamping: parsed)
    }
}
