/// A failure reported to clients as a `Status` object, mirroring k8s.io/apimachinery/pkg/api/errors:
/// the same reasons, codes and message shapes, so clients' error handling works unchanged.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: Details?
    /// Extra response headers such as Retry-After.
    public var headers: [(String, String)] = []
    /// The Status's `metadata.continue`: upstream hands a fresh continue token out with the 410 for
    /// a continue token whose snapshot has left the history.
    public var continueToken: String?

    public struct Details: Sendable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var uid: String?
        public var causes: [Cause] = []
        public var retryAfterSeconds: Int?

        public init(name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil, causes: [Cause] = [], retryAfterSeconds: Int? = nil) {
            self.name = name; self.group = group; self.kind = kind; self.uid = uid; self.causes = causes; self.retryAfterSeconds = retryAfterSeconds
        }
    }

    public struct Cause: Sendable {
        public var reason: String
        public var message: String
        public var field: String?
        public init(reason: String, message: String, field: String? = nil) {
            self.reason = reason; self.message = message; self.field = field
        }
    }

    public init(code: Int, reason: String, message: String, details: Details? = nil) {
        self.code = code; self.reason = reason; self.message = message; self.details = details
    }

    public var description: String { message }

    /// The `Status` object sent to clients.
    public var status: JSON {
        var object: JSONObject = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object(continueToken.map { ["continue": .string($0)] } ?? [:]),
            "status": "Failure", "message": .string(message),
        ]
        // Upstream omits an empty reason (errors that are not API errors become bare 500s).
        if !reason.isEmpty { object["reason"] = .string(reason) }
        if let details {
            var d = JSONObject()
            if let name = details.name { d["name"] = .string(name) }
            if let group = details.group, !group.isEmpty { d["group"] = .string(group) }
            if let kind = details.kind { d["kind"] = .string(kind) }
            if let uid = details.uid { d["uid"] = .string(uid) }
            if !details.causes.isEmpty {
                d["causes"] = .array(details.causes.map { c in
                    // Upstream omits an empty reason or field (Go's omitempty).
                    var o: JSONObject = [:]
                    if !c.reason.isEmpty { o["reason"] = .string(c.reason) }
                    o["message"] = .string(c.message)
                    if let f = c.field, !f.isEmpty { o["field"] = .string(f) }
                    return .object(o)
                })
            }
            if let r = details.retryAfterSeconds { d["retryAfterSeconds"] = .int(Int64(r)) }
            object["details"] = .object(d)
        }
        object["code"] = .int(Int64(code))
        return .object(object)
    }
}

/// Identifies a resource in messages the way upstream's schema.GroupResource prints: `pods`, `statefulsets.apps`.
public struct GroupResource: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var resource: String
    public init(group: String, resource: String) { self.group = group; self.resource = resource }
    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// A kind qualified by its group as upstream's schema.GroupKind prints: `Pod`, `StatefulSet.apps`.
public struct GroupKind: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var kind: String
    public init(group: String, kind: String) { self.group = group; self.kind = kind }
    public var description: String { group.isEmpty ? kind : "\(kind).\(group)" }
}

extension APIError {
    public static func notFound(_ resource: GroupResource, _ name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(resource) \"\(name)\" not found",
                 details: Details(name: name, group: resource.group, kind: resource.resource))
    }

    public static func alreadyExists(_ resource: GroupResource, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(resource) \"\(name)\" already exists",
                 details: Details(name: name, group: resource.group, kind: resource.resource))
    }

    /// The optimistic-concurrency failure clients retry on.
    public static func conflict(_ resource: GroupResource, _ name: String, _ why: String) -> APIError {
        APIError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(resource) \"\(name)\": \(why)",
                 details: Details(name: name, group: resource.group, kind: resource.resource))
    }

    public static let modifiedSinceRead = "the object has been modified; please apply your changes to the latest version and try again"

    public static func invalid(_ kind: GroupKind, _ name: String, _ errors: [FieldError]) -> APIError {
        let aggregate = errors.count == 1 ? errors[0].description : "[" + errors.map(\.description).joined(separator: ", ") + "]"
        return APIError(code: 422, reason: "Invalid", message: "\(kind) \"\(name)\" is invalid: \(aggregate)",
                        details: Details(name: name, group: kind.group, kind: kind.kind,
                                         causes: errors.map { Cause(reason: $0.kind.rawValue, message: $0.body, field: $0.field) }))
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func forbidden(_ resource: GroupResource, _ name: String, _ why: String) -> APIError {
        let subject = name.isEmpty ? "\(resource)" : "\(resource) \"\(name)\""
        return APIError(code: 403, reason: "Forbidden", message: "\(subject) is forbidden: \(why)",
                        details: Details(name: name.isEmpty ? nil : name, group: resource.group, kind: resource.resource))
    }

    public static func methodNotSupported(_ resource: GroupResource, _ action: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "\(action) is not supported on resources of kind \"\(resource)\"",
                 details: Details(group: resource.group, kind: resource.resource))
    }

    public static let methodNotAllowed = APIError(code: 405, reason: "MethodNotAllowed",
        message: "the server does not allow this method on the requested resource", details: Details())

    public static let pathNotFound = APIError(code: 404, reason: "NotFound",
        message: "the server could not find the requested resource", details: Details())

    public static func notAcceptable(_ accepted: [String]) -> APIError {
        APIError(code: 406, reason: "NotAcceptable",
                 message: "the server was unable to respond with a content type that the client supports")
    }

    public static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType",
                 message: "the body of the request was in an unknown format - accepted media types include: " + accepted.joined(separator: ", "))
    }

    public static func requestEntityTooLarge(limit: Int) -> APIError {
        APIError(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(limit)")
    }

    public static func gone(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    public static func tooManyRequests(_ message: String, retryAfter: Int) -> APIError {
        var e = APIError(code: 429, reason: "TooManyRequests", message: message, details: Details(retryAfterSeconds: retryAfter))
        e.headers = [("Retry-After", String(retryAfter))]
        return e
    }

    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
                 details: Details(causes: [Cause(reason: "", message: message)]))
    }

    public static func serviceUnavailable(_ message: String) -> APIError {
        APIError(code: 503, reason: "ServiceUnavailable", message: message)
    }
}

extension GroupResource {
    /// Parses the printed form (`pods`, `statefulsets.apps`), as upstream's schema.ParseGroupResource:
    /// everything after the first dot is the group.
    public init(parsing text: String) {
        if let dot = text.firstIndex(of: ".") {
            self.init(group: String(text[text.index(after: dot)...]), resource: String(text[..<dot]))
        } else {
            self.init(group: "", resource: text)
        }
    }
}
