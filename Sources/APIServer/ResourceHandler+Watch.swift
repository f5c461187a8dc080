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

/// Watch parameters, decoded and validated in upstream's order: query conversion (400), then
/// ValidateListOptions' watch rules (422), then the storage's resourceVersion parse (500).
struct WatchOptions {
    var start: WatchRequest.Start
    var allowBookmarks: Bool
    var timeout: Duration?

    init(_ request: HTTPRequest) throws(APIError) {
        allowBookmarks = QueryBool.value(request.queryValue("allowWatchBookmarks")) ?? false
        let sendInitialEvents = QueryBool.value(request.queryValue("sendInitialEvents"))
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
        guard let seconds = Int64(value) else {
            let syntax = value.wholeMatch(of: /[+-]?[0-9]+/) != nil ? "value out of range" : "invalid syntax"
            throw APIError.badRequest("strconv.ParseInt: parsing \(FieldError.quote(value)): \(syntax)")
        }
        return seconds == 0 ? nil : .seconds(seconds)
    }

    /// The storage's resourceVersion parse (strconv.ParseUint); nil for unset or "0" (no start revision).
    /// Upstream answers a malformed value with a bare 500 carrying the field error (kubernetes#113939).
    static func revision(_ value: String) throws(APIError) -> Int64? {
        if value.isEmpty || value == "0" { return nil }
        let digits = value.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard digits, let parsed = UInt64(value) else {
            let syntax = digits ? "value out of range" : "invalid syntax"
            let field = FieldError.invalid(FieldPath("resourceVersion"), value, "strconv.ParseUint: parsing \(FieldError.quote(value)): \(syntax)")
            throw APIError(code: 500, reason: "", message: field.description)
        }
        return parsed == 0 ? nil : Int64(clamping: parsed)
    }
}

/// Upstream's conversion of boolean query parameters (apimachinery's Convert_Slice_string_To_bool):
/// "0" and "false" in any case are false, anything else, even an empty value, is true; never an error.
enum QueryBool {
    /// nil when the parameter is absent.
    static func value(_ raw: String?) -> Bool? {
        guard let raw else { return nil }
        return !(raw == "0" || raw.lowercased() == "false")
    }
}

/// Go's strconv.ParseBool spellings.
enum GoBool {
    static func parse(_ value: String) -> Bool? {
        switch value {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }
}
