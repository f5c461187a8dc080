/// The status predicates of upstream's k8s.io/apimachinery/pkg/api/errors (IsNotFound,
/// IsConflict, ...), so callers test what failed by meaning rather than by raw code or reason.
extension APIError {
    /// The object (or the requested resource) does not exist: 404.
    public var isNotFound: Bool { code == 404 }
    /// A create named an object that exists: 409 AlreadyExists.
    public var isAlreadyExists: Bool { code == 409 && reason == "AlreadyExists" }
    /// The optimistic-concurrency failure (a stale resourceVersion, a precondition): 409 but not
    /// AlreadyExists, as upstream's IsConflict answers for reason Conflict.
    public var isConflict: Bool { code == 409 && reason != "AlreadyExists" }
    /// A watch or continue token older than the history kept: 410.
    public var isGone: Bool { code == 410 }
    /// Validation rejected the object: 422.
    public var isInvalid: Bool { code == 422 }
    /// The caller may not do this, e.g. create in a terminating namespace: 403.
    public var isForbidden: Bool { code == 403 }
}

extension Error {
    /// Whether this is an `APIError` for a missing object (false for any other error).
    public var isNotFound: Bool { (self as? APIError)?.isNotFound ?? false }
    public var isAlreadyExists: Bool { (self as? APIError)?.isAlreadyExists ?? false }
    public var isConflict: Bool { (self as? APIError)?.isConflict ?? false }
    public var isGone: Bool { (self as? APIError)?.isGone ?? false }
    public var isInvalid: Bool { (self as? APIError)?.isInvalid ?? false }
    public var isForbidden: Bool { (self as? APIError)?.isForbidden ?? false }
}
