import APIMachinery
import HTTPServer
import Synchronization

/// Upstream's max-in-flight filter (`--max-requests-inflight`, `--max-mutating-requests-inflight`):
/// at most so many read and so many mutating requests are served at once; beyond that a request is
/// answered 429 at once, so one client's flood cannot take every serving slot. A request holds its
/// seat until its answer is complete (a deferred answer completed, a streamed list written out).
///
/// Exempt as upstream's long-running check (BasicLongRunningRequestCheck) and its probes: watches,
/// proxy, the attach/exec/log/portforward/proxy subresources, and /healthz, /livez, /readyz.
final class MaxInFlightLimit: Sendable {
    /// At most this many reads (get, list) in flight; 0 for no limit.
    let maxReads: Int
    /// At most this many mutating requests in flight; 0 for no limit.
    let maxMutating: Int
    private let inFlight = Mutex((reads: 0, mutating: 0))

    init(maxReads: Int, maxMutating: Int) {
        self.maxReads = max(0, maxReads); self.maxMutating = max(0, maxMutating)
    }

    enum Admission {
        /// Not counted: long-running, a probe, or no limit for its kind.
        case exempt
        case admitted(Seat)
        case rejected
    }

    /// Reads are upstream's nonMutatingRequestVerbs (get, list, watch): GET and HEAD.
    func admit(_ request: HTTPRequest) -> Admission {
        let mutating = request.method != "GET" && request.method != "HEAD"
        let limit = mutating ? maxMutating : maxReads
        guard limit > 0, !Self.isExempt(request) else { return .exempt }
        let admitted = inFlight.withLock { counts in
            if mutating {
                guard counts.mutating < limit else { return false }
                counts.mutating += 1
            } else {
                guard counts.reads < limit else { return false }
                counts.reads += 1
            }
            return true
        }
        return admitted ? .admitted(Seat(limit: self, mutating: mutating)) : .rejected
    }

    /// Requests counted now, for tests and metrics.
    var counts: (reads: Int, mutating: Int) { inFlight.withLock { $0 } }

    fileprivate func release(mutating: Bool) {
        inFlight.withLock { counts in
            if mutating { counts.mutating -= 1 } else { counts.reads -= 1 }
        }
    }

    static let probePaths = ["/healthz", "/livez", "/readyz"]
    static let longRunningSubresources: Set<String> = ["attach", "exec", "proxy", "log", "portforward"]

    static func isExempt(_ request: HTTPRequest) -> Bool {
        let path = request.path
        guard path.hasPrefix("/api/") || path.hasPrefix("/apis/") else {
            return probePaths.contains { path.hasPrefix($0) && (path.utf8.count == $0.utf8.count || path.utf8.dropFirst($0.utf8.count).first == UInt8(ascii: "/")) }
        }
        if APIServer.isWatch(request) { return true }
        // This runs for every request: only paths that may be long-running are parsed in full.
        guard mayBeLongRunning(path),
              let info = RequestInfo(method: request.method, path: path, isWatch: false) else { return false }
        return info.verb == "watch" || info.verb == "proxy" || longRunningSubresources.contains(info.subresource)
    }

    /// Whether the path has a `watch` segment or ends in the name of a long-running subresource.
    private static func mayBeLongRunning(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { bytes in
            let slash = UInt8(ascii: "/")
            let watch: StaticString = "/watch/"
            let needle = UnsafeBufferPointer(start: watch.utf8Start, count: watch.utf8CodeUnitCount)
            if bytes.count >= needle.count {
                for start in 0...(bytes.count - needle.count) where bytes[start] == slash {
                    if UnsafeBufferPointer(rebasing: bytes[start..<(start + needle.count)]).elementsEqual(needle) { return true }
                }
            }
            guard let lastSlash = bytes.lastIndex(of: slash) else { return false }
            return longRunningSubresources.contains(String(decoding: UnsafeBufferPointer(rebasing: bytes[(lastSlash + 1)...]), as: UTF8.self))
        }
    }

    /// What upstream's filter answers (apierrors.NewTooManyRequests with a one-second retry).
    static var tooManyRequests: APIError {
        var error = APIError(code: 429, reason: "TooManyRequests", message: "Too many requests, please try again later.",
                             details: .init(retryAfterSeconds: 1))
        error.headers = [("Retry-After", "1")]
        return error
    }

    /// One admitted request's place; released once, however many times `release` is called.
    final class Seat: Sendable {
        private let limit: MaxInFlightLimit
        private let mutating: Bool
        private let held = Mutex(true)

        fileprivate init(limit: MaxInFlightLimit, mutating: Bool) { self.limit = limit; self.mutating = mutating }

        func release() {
            let wasHeld = held.withLock { held in
                defer { held = false }
                return held
            }
            if wasHeld { limit.release(mutating: mutating) }
        }

        deinit { release() }
    }
}
