import Foundation
import Synchronization

/// The DaemonSet controller's failedPodsBackoff (client-go flowcontrol.Backoff, 1 s doubling to
/// 15 min, per set generation and node): a daemon pod that keeps failing on a node (a kubelet
/// rejecting it) is replaced at most once per backoff period instead of in a hot loop.
final class FailedPodBackoff: Sendable {
    static let initial: TimeInterval = 1
    static let maximum: TimeInterval = 15 * 60

    private struct Entry { var backoff: TimeInterval; var lastUpdate: Date }
    private let entries = Mutex<[String: Entry]>([:])

    /// The wait left before the failed pod under `key` may be replaced; nil when it may be now,
    /// in which case the attempt is recorded and the next period doubles (IsInBackOffSinceUpdate, then Next).
    func delay(_ key: String, now: Date) -> TimeInterval? {
        entries.withLock { all in
            if let entry = all[key], now.timeIntervalSince(entry.lastUpdate) < entry.backoff {
                return entry.backoff - now.timeIntervalSince(entry.lastUpdate)
            }
            // An entry idle for twice the maximum has expired and starts over.
            all = all.filter { now.timeIntervalSince($0.value.lastUpdate) <= 2 * Self.maximum }
            let next = all[key].map { min($0.backoff * 2, Self.maximum) } ?? Self.initial
            all[key] = Entry(backoff: next, lastUpdate: now)
            return nil
        }
    }
}
