import APIMachinery
import Storage

/// Storage failures as API errors (upstream's storeerr.InterpretCreateError, InterpretListError
/// and the etcd store's errors.go): the one place this translation happens, so every verb, list and
/// subresource answers a failure with the same reason, code and text.
///
/// etcd's failures are answered as kube-apiserver answers them (its etcd3 store passes the client's
/// errors through; they never become storage.ErrCodeUnreachable, so neither the ServerTimeout of
/// storeerr nor the 503 of responsewriters.convertStorageErrorOrNot is reached):
/// - no member reachable: clientv3 waits for a connection until the request deadline, and the
///   handler answers 504 Timeout (finishRequest). Kubelite answers the same Status at once: waiting
///   would only delay it, and the write is not made either way.
/// - etcd's own error ("etcdserver: request timed out", gRPC Unavailable): not a Status, so
///   responsewriters.ErrorToAPIStatus answers 500 with no reason and etcd's text as the message.
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
            case .unreachable: return timedOut
            case .backendFailure(let message): return passedThrough(message)
            case .revisionNotReached(let requested, let current):
                return ResourceStore.tooLargeResourceVersion(requested, current: current)
            }
        case .list(let point):
            guard case .compacted = error else {
                switch error {
                case .unavailable(let why): return .internalError(why)
                case .unreachable: return timedOut
                case .backendFailure(let message): return passedThrough(message)
                case .revisionNotReached(let requested, let current):
                    return ResourceStore.tooLargeResourceVersion(requested, current: current)
                default: return .internalError("\(error)")
                }
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

    /// What kube-apiserver answers once its request deadline passes (apierrors.NewTimeoutError,
    /// retryAfterSeconds 0 and so left out).
    public static let timedOut = APIError(code: 504, reason: "Timeout",
                                          message: "Timeout: request did not complete within requested timeout - context deadline exceeded",
                                          details: .init())

    /// An error that is not a Status, as responsewriters.ErrorToAPIStatus answers it: 500, no reason.
    static func passedThrough(_ message: String) -> APIError {
        APIError(code: 500, reason: "", message: message)
    }
}
