import HTTPServer
import Registry

/// A request while it is served: who sent it (the authenticated user, before impersonation), when it
/// started (for the request log) and the in-flight seat it holds until its answer is complete. A deferred answer carries it to the thread that completes it.
struct ServedRequest: Sendable {
    let request: HTTPRequest
    let started: ContinuousClock.Instant
    let seat: MaxInFlightLimit.Seat?
    /// The authenticated user (`system:anonymous` when nothing identified the client).
    var user: UserInfo = .anonymous
    /// The request's audit ID (the client's `Audit-ID` header, or a new UUID), answered in `Audit-Id`.
    var auditID = ""
    /// Its audit record when the audit policy audits it.
    var audit: AuditRecord? = nil
}

/// A streamed answer that frees its request's in-flight seat once written out or abandoned.
final class SeatReleasingStream: ResponseStream {
    private let stream: ResponseStream
    private let seat: MaxInFlightLimit.Seat

    init(_ stream: ResponseStream, seat: MaxInFlightLimit.Seat) {
        self.stream = stream; self.seat = seat
    }

    func attach(wake: @escaping @Sendable () -> Void) { stream.attach(wake: wake) }

    func read(max: Int) -> StreamRead {
        let read = stream.read(max: max)
        if case .end = read { seat.release() }
        return read
    }

    func close() {
        stream.close()
        seat.release()
    }
}
