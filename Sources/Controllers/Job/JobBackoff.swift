import Foundation
import Synchronization

/// Upstream's backoffRecordStore: per Job, the failures since its last success and when the last
/// one happened, from which the delay before the next pod is created grows (10 s, doubling, at
/// most 10 minutes: DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff in 1.32).
final class JobBackoffStore: Sendable {
    struct Record: Equatable {
        var failuresAfterLastSuccess = 0
        var lastFailureTime: Date?
    }

    static let base: TimeInterval = 10
    static let max: TimeInterval = 600
    private let records = Mutex<[String: Record]>([:])

    func record(_ key: String) -> Record { records.withLock { $0[key] ?? Record() } }

    /// Newly counted pods: a success resets the count, each failure adds one.
    func update(_ key: String, succeeded: Int, failedAt: [Date]) {
        records.withLock { all in
            var record = all[key] ?? Record()
            if succeeded > 0 { record = Record() }
            for time in failedAt {
                record.failuresAfterLastSuccess += 1
                record.lastFailureTime = Swift.max(record.lastFailureTime ?? time, time)
            }
            all[key] = record
        }
    }

    func forget(_ key: String) { _ = records.withLock { $0.removeValue(forKey: key) } }

    /// How long until the next pod may be created; zero when it may be now.
    func remaining(_ key: String, now: Date) -> TimeInterval {
        let record = record(key)
        guard record.failuresAfterLastSuccess > 0, let last = record.lastFailureTime else { return 0 }
        return Swift.max(0, last.addingTimeInterval(Self.delay(failures: record.failuresAfterLastSuccess)).timeIntervalSince(now))
    }

    static func delay(failures: Int) -> TimeInterval {
        var delay = base
        for _ in 1..<Swift.max(1, failures) {
            delay *= 2
            if delay >= max { return max }
        }
        return Swift.min(delay, max)
    }
}
