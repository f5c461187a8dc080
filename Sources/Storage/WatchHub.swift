import APIMachinery
import Dispatch
import Foundation
import Synchronization

/// Fans storage changes out to watchers. Storage calls the hub under its write lock; the hub only
/// queues the event there and delivers it from its own serial queue, so writers never wait for
/// watchers and every watcher sees events in revision order. Watchers hold no thread: each is a
/// consumer the hub calls, and an HTTP watcher's connection sleeps (suspended) between events.
public final class WatchHub: Sendable {
    let storage: any Storage
    /// Set once in init; the worker's tick calls back into the hub.
    nonisolated(unsafe) private var worker: SerialWorker!
    private let state = Mutex(State())
    let configuration: Configuration
    /// Set once in init; removed in deinit so a storage outliving the hub keeps no dead listener.
    nonisolated(unsafe) private var listener: ListenerToken?

    public struct Configuration: Sendable {
        /// How often watchers that allow bookmarks get one (upstream: about a minute).
        public var bookmarkInterval: Duration = .seconds(60)
        /// A watch without `timeoutSeconds` ends after this, randomised up to twice as long, as
        /// upstream's --min-request-timeout does (1800 s by default).
        public var minRequestTimeout: Duration = .seconds(1800)
        public init() {}
    }

    /// A class, not a struct: a fan-out to 10,000 watchers copies each entry out of the table, and
    /// a struct of several references costs a retain per reference per copy.
    final class Registered: @unchecked Sendable {
        let consumer: any WatchConsumer
        let request: WatchRequest
        /// Events at or below this revision were already delivered (initial state or history).
        let delivered: Int64
        let deadline: ContinuousClock.Instant
        /// Changed only by `tick`, on the hub's worker, under the state lock.
        var nextBookmark: ContinuousClock.Instant

        init(consumer: any WatchConsumer, request: WatchRequest, delivered: Int64,
             deadline: ContinuousClock.Instant, nextBookmark: ContinuousClock.Instant) {
            self.consumer = consumer; self.request = request; self.delivered = delivered
            self.deadline = deadline; self.nextBookmark = nextBookmark
        }

        /// When `tick` next has something to do for this watcher.
        var nextDue: ContinuousClock.Instant { request.bookmarks ? min(deadline, nextBookmark) : deadline }
    }

    struct State {
        var nextID = 0
        var watchers: [String: [Int: Registered]] = [:]
        /// Revision of the newest event delivered; bookmarks report it.
        var revision: Int64 = 0
        /// No watcher has a bookmark or deadline due before this, so ticks until then scan nothing.
        var nextDue: ContinuousClock.Instant = .now + .seconds(3600)
    }

    public init(storage: any Storage, configuration: Configuration = Configuration()) {
        self.storage = storage
        self.configuration = configuration
        state.withLock { $0.revision = storage.currentRevision }
        let tickTarget = WeakHub()
        worker = SerialWorker(name: "kubelite.watch-hub", tickInterval: Self.tickInterval(configuration)) { tickTarget.hub?.tick() }
        tickTarget.hub = self
        listener = storage.addListener { [weak self] event in
            guard let self else { return }
            self.worker.async { self.deliver(event) }
        }
    }

    deinit {
        if let listener { storage.removeListener(listener) }
        worker.stop()
    }

    /// Bookmarks and timeouts are checked once a second, or as often as a shorter bookmark
    /// interval needs (tests and `--watch-bookmark-interval`).
    static func tickInterval(_ configuration: Configuration) -> TimeInterval {
        let bookmark = configuration.bookmarkInterval
        let seconds = Double(bookmark.components.seconds) + Double(bookmark.components.attoseconds) / 1e18
        return min(1, max(0.01, seconds))
    }

    /// Number of open watches (all resources).
    public var watcherCount: Int { state.withLock { $0.watchers.values.reduce(0) { $0 + $1.count } } }

    /// Starts a watch. Initial events (current state, or history after a revision) are delivered
    /// before any later change. `timeout` nil uses the server's randomised maximum.
    @discardableResult
    public func watch(_ request: WatchRequest, consumer: any WatchConsumer, timeout: Duration?) -> WatchHandle {
        let id = state.withLock { s -> Int in s.nextID += 1; return s.nextID }
        let handle = WatchHandle(hub: self, resource: request.resource, id: id)
        worker.async { self.register(id: id, request, consumer, timeout: timeout) }
        return handle
    }

    func stop(resource: String, id: Int) {
        worker.async {
            let removed = self.state.withLock { $0.watchers[resource]?.removeValue(forKey: id) }
            removed?.consumer.finish()
        }
    }

    /// Ends every watch (server shutdown).
    public func stopAll() {
        worker.sync {
            let all = self.state.withLock { s -> [Registered] in
                let all = s.watchers.values.flatMap { $0.values }
                s.watchers = [:]
                return all
            }
            for w in all { w.consumer.finish() }
        }
    }

    private func register(id: Int, _ request: WatchRequest, _ consumer: any WatchConsumer, timeout: Duration?) {
        let now = ContinuousClock.now
        let limit: Duration
        if let timeout {
            limit = timeout
        } else {
            // Randomised so watchers opened together do not all reconnect together.
            limit = configuration.minRequestTimeout * Double.random(in: 1.0..<2.0)
        }
        // A negative timeoutSeconds ends the watch at once, as upstream's already-fired timer does.
        if limit < .zero { consumer.finish(); return }
        guard let delivered = deliverInitialEvents(request, to: consumer) else { return }
        let registered = Registered(consumer: consumer, request: request, delivered: delivered,
                                    deadline: now + limit, nextBookmark: now + configuration.bookmarkInterval)
        state.withLock { s in
            s.watchers[request.resource, default: [:]][id] = registered
            s.nextDue = min(s.nextDue, registered.nextDue)
        }
    }

    /// Sends what precedes live changes (current state, or history after a revision) and returns the
    /// revision the watcher has seen up to; nil when the watch already ended (consumer done or failed).
    private func deliverInitialEvents(_ request: WatchRequest, to consumer: any WatchConsumer) -> Int64? {
        switch request.start {
        case .currentState, .initialEventsWithBookmark:
            let snapshot = storage.list(resource: request.resource, namespace: request.namespace)
            for item in snapshot.items where matches(request, item) {
                if !consumer.receive(.added(item)) { return nil }
            }
            if case .initialEventsWithBookmark = request.start {
                if !consumer.bookmark(revision: snapshot.revision, initialEventsEnd: true) { return nil }
            }
            return snapshot.revision
        case .mostRecent:
            // Changes at or below this revision precede the watch, even those still queued behind
            // this registration: `delivered` makes the fan-out skip them.
            return storage.currentRevision
        case .after(let revision):
            let current = storage.currentRevision
            if revision > current {
                consumer.fail(.tooLargeResourceVersion(requested: revision, current: current))
                return nil
            }
            let events: [StorageEvent]
            do {
                events = try storage.events(after: revision)
            } catch {
                if case .compacted(let requested, let oldest) = error {
                    consumer.fail(.expired(requested: requested, oldest: oldest))
                } else {
                    consumer.finish()
                }
                return nil
            }
            for event in events where event.object.key.resource == request.resource {
                if let translated = translate(event, for: request), !consumer.receive(translated) { return nil }
            }
            return max(revision, events.last?.revision ?? revision)
        }
    }

    private func deliver(_ event: StorageEvent) {
        let watchers = state.withLock { s -> [Int: Registered] in
            s.revision = max(s.revision, event.revision)
            return s.watchers[event.object.key.resource] ?? [:]
        }
        guard !watchers.isEmpty else { return }
        var finished: [Int] = []
        for (id, w) in watchers where event.revision > w.delivered {
            guard let translated = translate(event, for: w.request) else { continue }
            if !w.consumer.receive(translated) { finished.append(id) }
        }
        if !finished.isEmpty {
            state.withLock { s in for id in finished { s.watchers[event.object.key.resource]?[id] = nil } }
        }
    }

    /// Whether the object passes the watch's selectors; decoded only when there is one to apply.
    private func matches(_ request: WatchRequest, _ object: StoredObject) -> Bool {
        guard let filter = request.filter else { return true }
        return filter(object.object)
    }

    /// The event as this watcher sees it, or nil when it concerns neither old nor new matching objects.
    func translate(_ event: StorageEvent, for request: WatchRequest) -> WatchEvent? {
        if let ns = request.namespace, event.object.key.namespace != ns { return nil }
        switch event.kind {
        case .added:
            return matches(request, event.object) ? .added(event.object) : nil
        case .deleted:
            return matches(request, event.previous ?? event.object) ? .deleted(event.object) : nil
        case .modified:
            let now = matches(request, event.object)
            let before = event.previous.map { matches(request, $0) } ?? false
            switch (before, now) {
            case (true, true): return .modified(event.object)
            case (false, true): return .added(event.object)
            case (true, false):
                // The last state the watcher could see, at the revision where it stopped matching.
                let stamped = (event.previous?.object ?? event.object.object).stamped(revision: event.revision)
                return .deleted(StoredObject(key: event.object.key, object: stamped, bytes: JSONWriter.encode(stamped), revision: event.revision))
            case (false, false): return nil
            }
        }
    }

    /// Every tick: sends due bookmarks and ends watches past their deadline.
    fileprivate func tick() {
        let now = ContinuousClock.now
        var expired: [(String, Int, any WatchConsumer)] = []
        var bookmarks: [(String, Int, any WatchConsumer, Int64)] = []
        state.withLock { s in
            guard now >= s.nextDue else { return }
            var nextDue = now + .seconds(3600)
            for (resource, watchers) in s.watchers {
                for (id, w) in watchers {
                    if now >= w.deadline {
                        expired.append((resource, id, w.consumer))
                    } else if w.request.bookmarks, now >= w.nextBookmark {
                        // Never behind what this watcher was sent: a snapshot taken at registration
                        // may be newer than the last event this hub has fanned out.
                        bookmarks.append((resource, id, w.consumer, max(s.revision, w.delivered)))
                        w.nextBookmark = now + configuration.bookmarkInterval
                    }
                    if now < w.deadline { nextDue = min(nextDue, w.nextDue) }
                }
            }
            s.nextDue = nextDue
            for (resource, id, _) in expired { s.watchers[resource]?[id] = nil }
        }
        for (_, _, consumer) in expired { consumer.finish() }
        var dropped: [(String, Int)] = []
        for (resource, id, consumer, revision) in bookmarks where !consumer.bookmark(revision: revision, initialEventsEnd: false) {
            dropped.append((resource, id))
        }
        if !dropped.isEmpty { state.withLock { s in for (r, id) in dropped { s.watchers[r]?[id] = nil } } }
    }
}

/// Ends a watch from the consumer's side (the client went away).
public struct WatchHandle: Sendable {
    let hub: WatchHub
    let resource: String
    let id: Int
    public func stop() { hub.stop(resource: resource, id: id) }
}

/// Lets the worker's tick reach the hub without the worker keeping the hub alive.
private final class WeakHub: @unchecked Sendable {
    weak var hub: WatchHub?
}
