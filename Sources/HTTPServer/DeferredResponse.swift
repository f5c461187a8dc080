import CMicroHTTPD
import Foundation

/// A response the handler gives later, from any thread: return `HTTPResponse.deferred(d)` from
/// `HTTPHandler.handle` and call `d.complete(_:)` once the answer is known. Meanwhile the connection
/// is suspended, so no libmicrohttpd thread waits for it (a durable write waiting for its group
/// commit, for instance).
///
/// The first completion wins; later ones are ignored. A deferred request still unanswered when the
/// server stops is answered 503 (ServiceUnavailable).
public final class DeferredResponse: @unchecked Sendable {
    /// Guards the state below; signalled on completion for `wait`.
    private let lock = NSCondition()
    private var response: HTTPResponse?
    /// The connection while it is suspended waiting for `complete`; nil otherwise.
    private var suspendedConnection: OpaquePointer?
    /// The request ended (sent, or the client went away): the connection must not be touched.
    private var detached = false

    public init() {}

    /// Gives the answer. Resumes the connection if it is suspended waiting for it; libmicrohttpd then
    /// calls the access handler again, which queues this response.
    public func complete(_ response: HTTPResponse) {
        lock.lock(); defer { lock.unlock() }
        guard self.response == nil else { return }
        self.response = response
        lock.broadcast()
        resumeLocked()
    }

    /// Whether `complete` has been called (or the server answered for the handler at stop).
    public var isCompleted: Bool {
        lock.lock(); defer { lock.unlock() }
        return response != nil
    }

    /// Blocks until completed and returns the answer: for callers that run a handler outside the
    /// server (in-process tests, tools).
    public func wait(timeout: Duration = .seconds(60)) -> HTTPResponse? {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        lock.lock(); defer { lock.unlock() }
        while response == nil, lock.wait(until: deadline) {}
        return response
    }

    var completedResponse: HTTPResponse? {
        lock.lock(); defer { lock.unlock() }
        return response
    }

    /// Called by the access handler right after the handler returned this deferred response: answers
    /// at once if already completed (completion raced ahead), otherwise suspends the connection.
    /// Suspending under the lock means a concurrent `complete` cannot resume before the suspend.
    func suspendUnlessCompleted(_ connection: OpaquePointer) -> HTTPResponse? {
        lock.lock(); defer { lock.unlock() }
        if let response { return response }
        suspendedConnection = connection
        MHD_suspend_connection(connection)
        return nil
    }

    /// The request is over (libmicrohttpd's completion callback): never touch the connection again.
    func detach() {
        lock.lock(); defer { lock.unlock() }
        detached = true
        suspendedConnection = nil
    }

    private func resumeLocked() {
        guard !detached, let connection = suspendedConnection else { return }
        suspendedConnection = nil
        MHD_resume_connection(connection)
    }
}
