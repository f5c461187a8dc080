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
        let stream = WatchStream(encoder: WatchEventEncoder(format: encoderFormat, strategy: store.strategy, clock: store.clock,
                                                               cache: server.eventLineCache))
        let matcher = filter
        var predicate: (@Sendable (JSON) -> Bool)?
        if !matcher.isEmpty { predicate = { @Sendable object in matcher.matches(object) } }
        let watchRequest = WatchRequest(resource: store.storageResourceName, namespace: namespace, start: options.start,
                                        bookmarks: options.allowBookmarks, filter: predicate)
        stream.handle = server.watchHub.watch(watchRequest, consumer: stream, timeout: options.timeout)
        let contentType: String
        if case .table = encoderFormat { contentType = format.contentType } else { contentType = "application/json" }
        return HTTPResponse(status: 200, headers: [("Content-Type", contentType), ("Cache-Control", "no-cache, private")], stream: stream)
    }
}

/// Watch parameters, validated as upstream's ValidateListOptions does for watches.
struct WatchOptions {
    var start: WatchRequest.Start
    var allowBookmarks: Bool
    var timeout: Duration?

    init(_ request: HTTPRequest) throws(APIError) {
        allowBookmarks = try Self.bool(request, "allowWatchBookmarks")
        let sendInitialEvents = try request.queryValue("sendInitialEvents").flatMap { (v: String) throws(APIError) -> Bool? in
            v.isEmpty ? nil : try Self.bool(request, "sendInitialEvents")
        }
        let match = request.queryValue("resourceVersionMatch") ?? ""
        let version = request.queryValue("resourceVersion") ?? ""
        if let seconds = request.queryValue("timeoutSeconds"), !seconds.isEmpty {
            guard let value = Int64(seconds), value >= 0 else {
                throw APIError.badRequest("invalid value \"\(seconds)\" for timeoutSeconds")
            }
            timeout = value == 0 ? nil : .seconds(value)
        }
        var revision: Int64?
        if !version.isEmpty, version != "0" {
            guard let v = Int64(version), v > 0 else {
                throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "ListOptions"), "", [
                    .invalid(FieldPath("resourceVersion"), .string(version), "must be a valid resource version"),
                ])
            }
            revision = v
        }
        if let sendInitialEvents {
            var errors: [FieldError] = []
            if match != "NotOlderThan" {
                errors.append(.forbidden(FieldPath("resourceVersionMatch"), "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"))
            }
            if !allowBookmarks {
                errors.append(.required(FieldPath("allowWatchBookmarks"), "sendInitialEvents requires setting allowWatchBookmarks to true"))
            }
            if !errors.isEmpty { throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "ListOptions"), "", errors) }
            if sendInitialEvents {
                start = .initialEventsWithBookmark
            } else {
                start = revision.map { .after($0) } ?? .after(0)
            }
            return
        }
        if !match.isEmpty {
            throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "ListOptions"), "", [
                .forbidden(FieldPath("resourceVersionMatch"), "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"),
            ])
        }
        start = revision.map { .after($0) } ?? .currentState
    }

    static func bool(_ request: HTTPRequest, _ name: String) throws(APIError) -> Bool {
        guard let value = request.queryValue(name), !value.isEmpty else { return false }
        guard let parsed = GoBool.parse(value) else {
            throw APIError.badRequest("invalid value \"\(value)\" for \(name): strconv.ParseBool: parsing \"\(value)\": invalid syntax")
        }
        return parsed
    }
}

/// Go's strconv.ParseBool, which upstream uses for boolean query parameters.
enum GoBool {
    static func parse(_ value: String) -> Bool? {
        switch value {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }
}
