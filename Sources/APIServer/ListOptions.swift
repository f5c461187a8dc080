import APIMachinery
import HTTPServer
import Registry
import Storage

/// The read options of list (and the resourceVersion of get), decoded and validated in upstream's
/// order: query decoding (400), ValidateListOptions (422), then the storage's own checks (400, 410,
/// 504) when the read is planned.
struct ListOptions {
    var resourceVersion = ""
    var resourceVersionMatch = ""
    /// 0 or less: no limit (upstream pages only for a positive limit).
    var limit: Int64 = 0
    var continueValue = ""
    var sendInitialEvents: String?
    /// Decoded (so a malformed value is a 400, as upstream's query conversion answers) but not used:
    /// upstream applies it to watches only.
    var timeoutSeconds: Int64?

    /// Upstream's parameter codec: of the list options only `timeoutSeconds` and `limit` can fail to
    /// decode, in that order (the order of ListOptions' fields).
    init(decoding request: HTTPRequest) throws(APIError) {
        resourceVersion = request.queryValue("resourceVersion") ?? ""
        resourceVersionMatch = request.queryValue("resourceVersionMatch") ?? ""
        continueValue = request.queryValue("continue") ?? ""
        sendInitialEvents = request.queryValue("sendInitialEvents")
        timeoutSeconds = try Self.int64(request.queryValue("timeoutSeconds"))
        limit = try Self.int64(request.queryValue("limit")) ?? 0
    }

    /// Go's strconv.ParseInt of an optional query value.
    private static func int64(_ text: String?) throws(APIError) -> Int64? {
        guard let text else { return nil }
        guard let value = GoInt.parseInt64(text) else { throw APIError.badRequest(GoInt.syntaxError("ParseInt", text)) }
        return value
    }

    /// Upstream ValidateListOptions (k8s.io/apimachinery/pkg/apis/meta/internalversion/validation),
    /// answered as 422 for the kind ListOptions.meta.k8s.io.
    func validate() throws(APIError) {
        var errors: [FieldError] = []
        let path = FieldPath("resourceVersionMatch")
        if !resourceVersionMatch.isEmpty {
            if resourceVersion.isEmpty {
                errors.append(.forbidden(path, "resourceVersionMatch is forbidden unless resourceVersion is provided"))
            }
            if !continueValue.isEmpty {
                errors.append(.forbidden(path, "resourceVersionMatch is forbidden when continue is provided"))
            }
            if resourceVersionMatch != "Exact", resourceVersionMatch != "NotOlderThan" {
                errors.append(.notSupported(path, .string(resourceVersionMatch), ["Exact", "NotOlderThan", ""]))
            }
            if resourceVersionMatch == "Exact", resourceVersion == "0" {
                errors.append(.forbidden(path, "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""))
            }
        }
        if let sendInitialEvents, GoInt.parseBool(sendInitialEvents) {
            errors.append(.forbidden(FieldPath("sendInitialEvents"), "sendInitialEvents is forbidden for list"))
        }
        if !errors.isEmpty { throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "ListOptions"), "", errors) }
    }

    /// The read this list asks for, with the etcd store's checks of resourceVersion and continue.
    func readPoint() throws(APIError) -> ReadPoint {
        let revision = try Self.parseResourceVersion(resourceVersion)
        if !continueValue.isEmpty {
            let token: ContinueToken
            do { token = try ContinueToken.decode(continueValue) } catch {
                throw APIError.badRequest("invalid continue token: \(error.message)")
            }
            if !resourceVersion.isEmpty, resourceVersion != "0" {
                throw APIError.badRequest("specifying resource version is not allowed when using continue")
            }
            return .continuing(token)
        }
        guard let revision, revision > 0 else { return .newest }
        switch resourceVersionMatch {
        case "Exact": return .exact(revision)
        case "NotOlderThan": return .notOlderThan(revision)
        // Legacy: a paged list at a version reads exactly there; otherwise at least that fresh.
        default: return limit > 0 ? .exact(revision) : .notOlderThan(revision)
        }
    }

    /// The read point of a get: its resourceVersion means "not older than".
    static func getReadPoint(_ request: HTTPRequest) throws(APIError) -> ReadPoint {
        guard let revision = try parseResourceVersion(request.queryValue("resourceVersion") ?? ""), revision > 0 else {
            return .newest
        }
        return .notOlderThan(revision)
    }

    /// Upstream's APIObjectVersioner: "" and "0" carry no revision; anything else must be an unsigned
    /// integer. The etcd store answers a bad one with 400 and this text.
    static func parseResourceVersion(_ text: String) throws(APIError) -> Int64? {
        if text.isEmpty || text == "0" { return nil }
        guard let value = GoInt.parseUInt64(text) else {
            let cause = FieldError.invalid(FieldPath("resourceVersion"), text, GoInt.syntaxError("ParseUint", text))
            throw APIError.badRequest("invalid resource version: \(cause.description)")
        }
        return Int64(clamping: value)
    }
}

/// Go's strconv parsing and its error texts, for query values upstream parses with it.
enum GoInt {
    static func parseUInt64(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(text)
    }

    static func parseInt64(_ text: String) -> Int64? {
        var digits = Substring(text)
        if digits.hasPrefix("-") || digits.hasPrefix("+") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text.hasPrefix("+") ? String(digits) : text)
    }

    /// `strconv.ParseInt: parsing "x": invalid syntax`, or `value out of range` for digits that overflow.
    static func syntaxError(_ function: String, _ text: String) -> String {
        var digits = Substring(text)
        if function == "ParseInt", digits.hasPrefix("-") || digits.hasPrefix("+") { digits = digits.dropFirst() }
        let numeric = !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        return "strconv.\(function): parsing \(FieldError.quote(text)): \(numeric ? "value out of range" : "invalid syntax")"
    }

    /// Upstream's query conversion to a bool pointer: only "0" and "false" (any case) are false.
    static func parseBool(_ text: String) -> Bool { !(text == "0" || text.lowercased() == "false") }
}
