import Foundation
import Synchronization

/// What a work queue reports, as client-go's workqueue `MetricsProvider` makes it for a named queue:
/// depth, adds, time waiting in the queue, time processing, retries, and the work in progress
/// (read when the metrics are read). Queues made before a provider is set, or without a name,
/// report nothing and pay nothing.
public protocol WorkQueueMetricsProvider: Sendable {
    func depth(queue name: String) -> any WorkQueueGauge
    func adds(queue name: String) -> any WorkQueueCounter
    func queueDuration(queue name: String) -> any WorkQueueHistogram
    func workDuration(queue name: String) -> any WorkQueueHistogram
    func retries(queue name: String) -> any WorkQueueCounter
    /// A queue's work in progress, read when the metrics are read (upstream polls it every 500 ms):
    /// `read` answers nil once the queue is gone.
    func unfinishedWork(queue name: String, read: @escaping @Sendable () -> WorkQueueUnfinishedWork?)
}

public protocol WorkQueueCounter: Sendable { func increment() }
public protocol WorkQueueGauge: Sendable { func increment(by amount: Double); func decrement(by amount: Double) }
public protocol WorkQueueHistogram: Sendable { func record(_ value: Double) }

/// The keys being processed now: the sum of their ages and the oldest one's, in seconds.
public struct WorkQueueUnfinishedWork: Sendable, Equatable {
    public var seconds: Double
    public var longestRunningProcessorSeconds: Double
    public init(seconds: Double = 0, longestRunningProcessorSeconds: Double = 0) {
        self.seconds = seconds
        self.longestRunningProcessorSeconds = longestRunningProcessorSeconds
    }
}

/// The provider queues take their metrics from, set once for the process as client-go's
/// `workqueue.SetProvider` (only the first call counts).
public enum WorkQueueMetricsProviders {
    private static let installed = Mutex<(any WorkQueueMetricsProvider)?>(nil)

    public static func set(_ provider: any WorkQueueMetricsProvider) {
        installed.withLock { current in if current == nil { current = provider } }
    }

    public static var current: (any WorkQueueMetricsProvider)? { installed.withLock { $0 } }
}

/// One queue's metrics, client-go's defaultQueueMetrics: called with the queue's lock held.
struct WorkQueueMetrics<Key: Hashable> {
    let depth: any WorkQueueGauge
    let adds: any WorkQueueCounter
    let queueDuration: any WorkQueueHistogram
    let workDuration: any WorkQueueHistogram
    let retries: any WorkQueueCounter
    /// When each waiting key was first added, and when each key being processed was handed out.
    private var addTimes: [Key: Date] = [:]
    private var processingStartTimes: [Key: Date] = [:]

    init(queue name: String, provider: any WorkQueueMetricsProvider) {
        depth = provider.depth(queue: name)
        adds = provider.adds(queue: name)
        queueDuration = provider.queueDuration(queue: name)
        workDuration = provider.workDuration(queue: name)
        retries = provider.retries(queue: name)
    }

    /// A key became dirty (a new add, not one collapsing into a waiting key).
    mutating func added(_ key: Key, now: Date) {
        adds.increment()
        depth.increment(by: 1)
        if addTimes[key] == nil { addTimes[key] = now }
    }

    /// A key was handed to a worker.
    mutating func started(_ key: Key, now: Date) {
        depth.decrement(by: 1)
        processingStartTimes[key] = now
        if let added = addTimes.removeValue(forKey: key) { queueDuration.record(now.timeIntervalSince(added)) }
    }

    mutating func finished(_ key: Key, now: Date) {
        if let started = processingStartTimes.removeValue(forKey: key) { workDuration.record(now.timeIntervalSince(started)) }
    }

    func unfinishedWork(now: Date) -> WorkQueueUnfinishedWork {
        var work = WorkQueueUnfinishedWork()
        for started in processingStartTimes.values {
            let age = now.timeIntervalSince(started)
            work.seconds += age
            work.longestRunningProcessorSeconds = max(work.longestRunningProcessorSeconds, age)
        }
        return work
    }
}
