import APIMachinery
import Foundation
import Storage

/// What a DELETE does about grace periods (upstream's rest.BeforeDelete).
enum GracefulDeletion {
    /// The kind has no graceful deletion, or the object's grace period is already 0: the usual path
    /// (finalizers mark, otherwise remove) applies.
    case notGraceful
    /// A graceful deletion is already running with a period no longer than the one asked for:
    /// nothing changes.
    case pending
    /// The object as marked (deletionTimestamp, deletionGracePeriodSeconds) and its period.
    case graceful(JSON, period: Int64)
}

extension ResourceStore {
    /// Decides the grace period of a DELETE. A first graceful DELETE sets deletionTimestamp to
    /// now + period (the time the object is due to go, as upstream writes it); a later one may only
    /// shorten the period, moving the timestamp back by the difference but never into the past.
    func gracefulDeletion(_ object: JSON, options: DeleteOptions) -> GracefulDeletion {
        var requested = options.gracePeriodSeconds
        if let r = requested, r < 0 { requested = 1 }
        let now = clock.now()
        var marked = object
        if let timestamp = object[path: "metadata", "deletionTimestamp"]?.stringValue {
            guard strategy.gracefulDeletionPeriod(object, options: options) != nil else { return .notGraceful }
            var existing = object[path: "metadata", "deletionGracePeriodSeconds"]?.intValue ?? 0
            if existing < 0 { existing = 1 }
            if existing == 0 { return .notGraceful }
            guard var period = requested, period < existing else { return .pending }
            var due = (Timestamp.parse(timestamp) ?? now).addingTimeInterval(TimeInterval(period - existing))
            if due < now {
                due = now
                // The whole period has passed: still graceful (someone else finishes), but minimal.
                if period != 0 { period = 1 }
            }
            marked[path: "metadata", "deletionTimestamp"] = .string(Timestamp.format(due))
            marked[path: "metadata", "deletionGracePeriodSeconds"] = .int(period)
            return .graceful(marked, period: period)
        }
        var effective = options
        effective.gracePeriodSeconds = requested
        guard let period = strategy.gracefulDeletionPeriod(object, options: effective) else { return .notGraceful }
        marked[path: "metadata", "deletionTimestamp"] = .string(Timestamp.format(now.addingTimeInterval(TimeInterval(period))))
        marked[path: "metadata", "deletionGracePeriodSeconds"] = .int(period)
        if let generation = object[path: "metadata", "generation"]?.intValue, generation > 0 {
            marked[path: "metadata", "generation"] = .int(generation + 1)
        }
        return .graceful(marked, period: period)
    }
}
