import APIMachinery
import Dispatch
import HTTPServer

/// kube-apiserver's request deadline (WithRequestDeadline, WithTimeoutForNonLongRunningRequests): a
/// request that is not long-running is answered 504 once `--request-timeout` passes, or the shorter
/// `?timeout=` the client asked for (kubectl's `--request-timeout`). Only writes can take that long
/// in Kubelite (a durable write waiting on a slow disk); the write goes on, as upstream's handler goes
/// on after its deadline, and may still be stored.
struct RequestDeadline: Sendable {
    /// `--request-timeout`; upstream's default is one minute.
    let maximum: Duration

    /// The deadline for `request`, or a 400 for a `timeout` that is not a Go duration.
    func timeout(for request: HTTPRequest) throws(APIError) -> Duration {
        guard let text = request.queryValue("timeout") else { return maximum }
        guard let asked = GoDuration.parse(text) else {
            throw APIError.badRequest("invalid timeout specified in the request URL")
        }
        // 0 (or less) means the client sets none of its own: the server's applies.
        return asked > .zero && asked < maximum ? asked : maximum
    }

    /// What upstream answers past the deadline (apierrors.NewTimeoutError).
    static let timedOut = APIError(code: 504, reason: "Timeout",
                                   message: "Timeout: request did not complete within requested timeout - context deadline exceeded",
                                   details: .init())
}

/// One write's deadline: fires `expired` once unless cancelled first. A timer source, not
/// `asyncAfter`: cancelling releases the handler (and the request it holds) at once, where a
/// cancelled work item would be kept until its deadline, with every write of the last minute.
final class WriteDeadlineTimer: @unchecked Sendable {
    private let source: DispatchSourceTimer

    init(after timeout: Duration, expired: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeTimerSource(queue: .global())
        let (seconds, attoseconds) = timeout.components
        source.schedule(deadline: .now() + .nanoseconds(Int(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)))
        source.setEventHandler(handler: expired)
        source.resume()
    }

    func cancel() { source.cancel() }
}
