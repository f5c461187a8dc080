import APIMachinery
import Foundation
import HTTPServer
import Registry
import Storage

/// One HTTP watch: receives events from the hub, encodes each as one line of JSON
/// (`{"type":"ADDED","object":{...}}`), and hands them to libmicrohttpd as chunks. Between events
/// the connection is suspended, so an idle watch costs no thread. A watcher whose client does not
/// keep up is cut off once `maxPendingBytes` are waiting (its client re-watches from its last
/// resourceVersion, as upstream's watch cache forces slow watchers to).
final class WatchStream: WatchConsumer, ResponseStream, @unchecked Sendable {
    private let lock = NSLock()
    private var chunks: [[UInt8]] = []
    private var head = 0
    private var pendingBytes = 0
    private var ended = false
    private var wake: (@Sendable () -> Void)?
    private let encoder: WatchEventEncoder
    private let maxPendingBytes: Int
    private let metrics: WatchEventMetrics.Recorder?
    var handle: WatchHandle?

    init(encoder: WatchEventEncoder, maxPendingBytes: Int = 16 << 20, metrics: WatchEventMetrics.Recorder? = nil) {
        self.encoder = encoder
        self.maxPendingBytes = maxPendingBytes
        self.metrics = metrics
    }

    // MARK: WatchConsumer (called on the hub's queue)

    func receive(_ event: WatchEvent) -> Bool {
        append(encoder.encode(event))
    }

    func bookmark(revision: Int64, initialEventsEnd: Bool) -> Bool {
        append(encoder.bookmark(revision: revision, initialEventsEnd: initialEventsEnd))
    }

    /// Upstream reports both as an ERROR event in a 200 stream, not as the response's status.
    func fail(_ failure: WatchFailure) {
        switch failure {
        case .expired(let requested, let oldest):
            _ = append(encoder.error(APIError.gone("too old resource version: \(requested) (\(oldest))")))
        case .tooLargeResourceVersion(let requested, let current):
            let error = APIError(code: 504, reason: "Timeout", message: "Timeout: Too large resource version: \(requested), current: \(current)",
                                 details: APIError.Details(causes: [APIError.Cause(reason: "ResourceVersionTooLarge", message: "Too large resource version")],
                                                           retryAfterSeconds: 1))
            _ = append(encoder.error(error))
        }
        finish()
    }

    func finish() {
        lock.lock()
        ended = true
        let w = wake
        lock.unlock()
        w?()
    }

    private func append(_ line: [UInt8]) -> Bool {
        lock.lock()
        if ended { lock.unlock(); return false }
        if pendingBytes + line.count > maxPendingBytes {
            // Too slow: drop what is queued and end the stream; the client resumes from its last version.
            chunks = []
            head = 0
            pendingBytes = 0
            ended = true
            let w = wake
            lock.unlock()
            w?()
            return false
        }
        let wasEmpty = pendingBytes == 0
        metrics?.record(bytes: line.count)
        chunks.append(line)
        pendingBytes += line.count
        let w = wake
        lock.unlock()
        if wasEmpty { w?() }
        return true
    }

    // MARK: ResponseStream (called on libmicrohttpd's threads)

    func attach(wake: @escaping @Sendable () -> Void) {
        lock.lock()
        self.wake = wake
        let hasData = pendingBytes > 0 || ended
        lock.unlock()
        if hasData { wake() }
    }

    func read(max: Int) -> StreamRead {
        lock.lock()
        defer { lock.unlock() }
        guard head < chunks.count else {
            chunks.removeAll(keepingCapacity: true)
            head = 0
            return ended ? .end : .pending
        }
        // Several small events go out in one chunk; one large event may exceed `max` (the server splits it).
        var out = chunks[head]
        head += 1
        while head < chunks.count, out.count + chunks[head].count <= max {
            out += chunks[head]
            head += 1
        }
        pendingBytes -= out.count
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            head = 0
        }
        return .data(out)
    }

    func close() {
        lock.lock()
        let wasEnded = ended
        ended = true
        chunks = []
        head = 0
        pendingBytes = 0
        let h = handle
        lock.unlock()
        if !wasEnded { h?.stop() }
    }
}

/// Encodes watch events as JSON lines, with the object as stored bytes, or as a Table row for
/// `kubectl get -w`.
struct WatchEventEncoder: Sendable {
    enum Format: Sendable { case json, table(version: String, includeObject: String) }
    let format: Format
    let strategy: any ResourceStrategy
    let clock: any Clock
    /// Table column definitions go with the first event only, as upstream sends them.
    private let sentColumns = SentFlag()
    /// Shared by every JSON watcher, so one event is encoded once however many watchers get it.
    private let cache: EncodedEventCache

    init(format: Format, strategy: any ResourceStrategy, clock: any Clock, cache: EncodedEventCache) {
        self.format = format; self.strategy = strategy; self.clock = clock; self.cache = cache
    }

    func encode(_ event: WatchEvent) -> [UInt8] {
        switch format {
        case .json:
            return cache.line(for: event) { line(event.typeName, event.object.bytes) }
        case .table(let version, let includeObject):
            let table = TableBuilder(strategy: strategy, now: clock.now(), version: version, includeObject: includeObject)
                .table([event.object.object], revision: String(event.object.revision), includeColumns: sentColumns.takeFirst())
            return line(event.typeName, JSONWriter.encode(table))
        }
    }

    func bookmark(revision: Int64, initialEventsEnd: Bool) -> [UInt8] {
        var metadata: JSONObject = ["resourceVersion": .string(String(revision)), "creationTimestamp": .null]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        let object: JSON = [
            "kind": .string(strategy.resource.kind), "apiVersion": .string(strategy.resource.apiVersion),
            "metadata": .object(metadata),
        ]
        return line("BOOKMARK", JSONWriter.encode(object))
    }

    func error(_ error: APIError) -> [UInt8] {
        line("ERROR", JSONWriter.encode(error.status))
    }

    private func line(_ type: String, _ object: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(object.count + 32)
        out.append(contentsOf: "{\"type\":\"\(type)\",\"object\":".utf8)
        out.append(contentsOf: object)
        out.append(contentsOf: "}\n".utf8)
        return out
    }
}

final class SentFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var sent = false
    /// True the first time only.
    func takeFirst() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if sent { return false }
        sent = true
        return true
    }
}

/// The most recently encoded event line. The hub delivers one event to all watchers before the
/// next, and (revision, type) names one line's content, so a single entry serves a whole fan-out.
final class EncodedEventCache: @unchecked Sendable {
    private let lock = NSLock()
    private var revision: Int64 = -1
    private var type = ""
    private var bytes: [UInt8] = []

    func line(for event: WatchEvent, encode: () -> [UInt8]) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        if revision == event.object.revision, type == event.typeName { return bytes }
        bytes = encode()
        revision = event.object.revision
        type = event.typeName
        return bytes
    }
}
