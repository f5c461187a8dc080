import Foundation
import Synchronization

/// client-go's EventCorrelator (tools/record/events_cache.go), which every upstream component's
/// recorder runs before writing an event:
/// - aggregation: once 10 events differing only in message (same source, object, type and reason)
///   are seen within 10 minutes, the next ones become one event "(combined from similar events): …";
/// - counting: an event identical to one already written (or the aggregate) updates that event's
///   count, lastTimestamp and message instead of making a new one;
/// - spam filtering: a source may write 25 events about one object, then one per 5 minutes.
/// Its caches are bounded (4,096 entries each, as upstream's LRU caches), so correlation is best
/// effort, as upstream documents it.
final class EventCorrelator: Sendable {
    static let aggregateMaxEvents = 10
    static let aggregateInterval: TimeInterval = 600
    static let spamBurst = 25.0
    static let spamRefillPerSecond = 1.0 / 300.0
    static let cacheSize = 4096

    /// What one event is, as the correlator keys it.
    struct Event {
        var component: String
        var host: String
        var kind: String
        var namespace: String
        var name: String
        var uid: String
        var apiVersion: String
        var fieldPath: String
        var type: String
        var reason: String
        var message: String

        /// getSpamKey: the source and the object.
        var spamKey: Key { Key(.spam, source: self, type: "", reason: "", fieldPath: "", message: "") }
        /// EventAggregatorByReasonFunc: the source, the object, type and reason (reportingController and
        /// reportingInstance are the component and host here).
        var aggregateKey: Key { Key(.aggregate, source: self, type: type, reason: reason, fieldPath: "", message: "") }
        /// getEventKey: everything but the timestamps.
        var eventKey: Key { Key(.event, source: self, type: type, reason: reason, fieldPath: fieldPath, message: message) }
    }

    /// The correlator's keys, hashed field by field (upstream joins the fields into one string).
    struct Key: Hashable {
        enum Role: Hashable { case spam, aggregate, event }
        /// Which of the three keys this is, so an aggregate key never equals an event's.
        var role: Role
        var component, host, kind, namespace, name, uid, apiVersion: String
        var type, reason, fieldPath, message: String

        init(_ role: Role, source e: Event, type: String, reason: String, fieldPath: String, message: String) {
            self.role = role
            component = e.component; host = e.host; kind = e.kind; namespace = e.namespace; name = e.name
            uid = e.uid; apiVersion = e.apiVersion
            self.type = type; self.reason = reason; self.fieldPath = fieldPath; self.message = message
        }
    }

    /// What to write: a new event, or an update of the one named (`count` > 1); nil: filtered as spam.
    struct Decision: Equatable {
        var message: String
        var count: Int
        /// The event to update, when `count` > 1.
        var existingName: String?
        var firstTimestamp: Date
        /// The key the written event's name is to be remembered under (`written(name:key:)`).
        var key: Key
    }

    private struct Aggregate { var messages: Set<String>; var last: Date }
    private struct Observation { var count: Int; var first: Date; var name: String }
    private struct Bucket { var tokens: Double; var last: Date }

    private struct State {
        var aggregates = BoundedCache<Key, Aggregate>(capacity: EventCorrelator.cacheSize)
        var observations = BoundedCache<Key, Observation>(capacity: EventCorrelator.cacheSize)
        var spam = BoundedCache<Key, Bucket>(capacity: EventCorrelator.cacheSize)
    }

    private let state = Mutex(State())

    /// EventCorrelate: aggregate, observe, then filter.
    func correlate(_ event: Event, now: Date) -> Decision? {
        state.withLock { state in
            var message = event.message
            var key = event.eventKey
            let aggregateKey = event.aggregateKey
            var aggregate = state.aggregates[aggregateKey] ?? Aggregate(messages: [], last: .distantPast)
            if now.timeIntervalSince(aggregate.last) > Self.aggregateInterval { aggregate = Aggregate(messages: [], last: now) }
            aggregate.messages.insert(event.message)
            aggregate.last = now
            if aggregate.messages.count >= Self.aggregateMaxEvents {
                // Upstream keeps the set from growing past the maximum by dropping any one message.
                aggregate.messages.remove(aggregate.messages.first!)
                message = "(combined from similar events): " + event.message
                key = aggregateKey
            }
            state.aggregates[aggregateKey] = aggregate

            var decision = Decision(message: message, count: 1, existingName: nil, firstTimestamp: now, key: key)
            if let seen = state.observations[key], seen.count > 0 {
                decision.count = seen.count + 1
                decision.existingName = seen.name
                decision.firstTimestamp = seen.first
            }
            state.observations[key] = Observation(count: decision.count, first: decision.firstTimestamp,
                                                  name: decision.existingName ?? "")

            let spamKey = event.spamKey
            var bucket = state.spam[spamKey] ?? Bucket(tokens: Self.spamBurst, last: now)
            bucket.tokens = min(Self.spamBurst, bucket.tokens + max(0, now.timeIntervalSince(bucket.last)) * Self.spamRefillPerSecond)
            bucket.last = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            state.spam[spamKey] = bucket
            return allowed ? decision : nil
        }
    }

    /// Remembers the name the event was written under (UpdateState), so the next identical one updates it.
    func written(name: String, key: Key) {
        state.withLock { state in
            if var seen = state.observations[key] {
                seen.name = name
                state.observations[key] = seen
            }
        }
    }

    /// Forgets an observation whose event could not be written, so the next one is created afresh.
    func failed(key: Key) {
        state.withLock { $0.observations[key] = nil }
    }
}

/// A cache of at most `capacity` entries that drops the least recently used half at a time (two
/// generations: a hit in the older one moves to the newer), a cheap stand-in for an LRU.
struct BoundedCache<Key: Hashable, Value> {
    let capacity: Int
    private var recent: [Key: Value] = [:]
    private var older: [Key: Value] = [:]

    init(capacity: Int) { self.capacity = max(2, capacity) }

    var count: Int { recent.count + older.count }

    subscript(key: Key) -> Value? {
        mutating get {
            if let value = recent[key] { return value }
            guard let value = older.removeValue(forKey: key) else { return nil }
            insert(key, value)
            return value
        }
        set {
            guard let newValue else {
                recent[key] = nil
                older[key] = nil
                return
            }
            older[key] = nil
            insert(key, newValue)
        }
    }

    private mutating func insert(_ key: Key, _ value: Value) {
        if recent[key] == nil, recent.count >= capacity / 2 {
            older = recent
            recent = [:]
        }
        recent[key] = value
    }
}
