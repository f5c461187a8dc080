import APIMachinery
import Storage

/// Storage failures as API errors (upstream's storeerr.InterpretCreateError, InterpretListError
/// and the etcd store's errors.go): the one place this translation happens, so every verb, list and
/// subresource answers a failure with the same reason, code and text.
public enum StorageErrors {
    /// What was being done when storage failed: the texts differ between an object and a list.
    public enum Operation: Sendable {
        /// A read or write of one object of a resource.
        case object(GroupResource, name: String)
        /// A list read at a point (a continue token gets its own 410 text and a fresh token).
        case list(ReadPoint)
    }

    public static func interpret(_ error: StorageError, during operation: Operation) -> APIError {
        switch operation {
        case .object(let resource, let name):
            switch error {
            case .alreadyExists: return .alreadyExists(resource, name)
            case .notFound: return .notFound(resource, name)
            case .conflict: return .conflict(resource, name, APIError.modifiedSinceRead)
            case .compacted(let requested, let oldest):
                return .gone("too old resource version: \(requested) (\(oldest))")
            case .unavailable(let why): return .internalError(why)
            }
        case .list(let point):
            guard case .compacted = error else {
                if case .unavailable(let why) = error { return .internalError(why) }
                return .internalError("\(error)")
            }
            guard case .continuing(let token) = point else {
                return .gone("The resourceVersion for the provided list is too old.")
            }
            var gone = APIError.gone("The provided continue parameter is too old to display a consistent list result. "
                + "You can start a new list without the continue parameter, or use the continue token in this response to "
                + "retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - "
                + "objects that were created, modified, or deleted between the time the first chunk was returned and now may "
                + "show up in the list.")
            gone.continueToken = ContinueToken(revision: -1, start: token.start).encoded
            return gone
        }
    }
}
