import Dispatch
import Foundation

/// A work queue with client-go's contract: keys come out in the order they were added; adding a key
/// already waiting does nothing (adds collapse); a key is never handed to two workers at once; a key
/// added while it is being processed is processed again afterwards; failed keys are re-added with
/// exponential backoff (`addRateLimited`) until `forget`. Workers are Dispatch jobs, started when
/// there is work, so an idle queue holds no thread.
public final class WorkQueue<Key: Hashable & Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var queue: [Key] = []
    private var head = 0
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var failures: [Key: Int] = [:]
    private var active = 0
    private var shuttingDown = false
    private var process: (@Sendable (Key) -> Void)?
    private var workers = 1
    private let timers: any Timers
    private let dispatch: DispatchQueue
    /// Nil without a metrics provider: the queue then pays nothing for metrics.
    private var metrics: WorkQueueMetrics<Key>?
    /// The controller the queue feeds (`statefulset`, `scheduler`): logs name it.
    public let name: String
    /// Backoff for the n-th consecutive failure: base·2ⁿ, capped (client-go: 5 ms to 1000 s).
    public let baseDelay: Duration
    public let maxDelay: Duration

    /// - Parameter metricsProvider: where the queue reports client-go's workqueue metrics under its
    ///   name; by default the process's provider (`WorkQueueMetricsProviders`), if one is set.
    public init(name: String, timers: any Timers, baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(1000),
                metricsProvider: (any WorkQueueMetricsProvider)? = WorkQueueMetricsProviders.current) {
        self.name = name
        self.timers = timers
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        dispatch = DispatchQueue(label: "kubelite.workqueue.\(name)", attributes: .concurrent)
        if let metricsProvider, !name.isEmpty {
            metrics = WorkQueueMetrics(queue: name, provider: metricsProvider)
            metricsProvider.unfinishedWork(queue: name) { [weak self] in self?.unfinishedWork() }
        }
        // A controller's queue ends with the controller's timers (a leadership term that ended).
        timers.whenStopped { [weak self] in self?.shutDown() }
    }

    /// Starts `workers` concurrent workers calling `process` for each key; `process` runs outside
    /// the queue's lock and the key is marked done when it returns.
    public func run(workers: Int, process: @escaping @Sendable (Key) -> Void) {
        lock.lock()
        self.workers = max(1, workers)
        self.process = process
        lock.unlock()
        pump()
    }

    public func add(_ key: Key) {
        lock.lock()
        if shuttingDown || dirty.contains(key) { lock.unlock(); return }
        metrics?.added(key, now: timers.now())
        dirty.insert(key)
        if !processing.contains(key) { queue.append(key) }
        lock.unlock()
        pump()
    }

    /// Adds a key once `delay` has passed; counted as a retry, as client-go's delaying queue does.
    public func addAfter(_ key: Key, _ delay: Duration) {
        if let retries = metrics?.retries {
            lock.lock()
            let stopped = shuttingDown
            lock.unlock()
            if stopped { return }
            retries.increment()
        }
        if delay <= .zero { add(key); return }
        timers.after(delay) { [weak self] in self?.add(key) }
    }

    /// Re-adds a key after its backoff, which doubles with each consecutive failure.
    public func addRateLimited(_ key: Key) {
        lock.lock()
        let n = failures[key, default: 0]
        failures[key] = n + 1
        lock.unlock()
        addAfter(key, backoff(failures: n))
    }

    /// Clears a key's failure history (call after it succeeds).
    public func forget(_ key: Key) {
        lock.lock(); failures[key] = nil; lock.unlock()
    }

    public func numRequeues(_ key: Key) -> Int {
        lock.lock(); defer { lock.unlock() }; return failures[key, default: 0]
    }

    func backoff(failures n: Int) -> Duration {
        let factor = Double(1 << min(n, 40))
        let delay = baseDelay * factor
        return delay > maxDelay ? maxDelay : delay
    }

    public var length: Int { lock.lock(); defer { lock.unlock() }; return queue.count - head }

    /// True when nothing waits and nothing is being processed.
    public var isIdle: Bool { lock.lock(); defer { lock.unlock() }; return queue.count == head && processing.isEmpty }

    /// The keys being processed now and for how long (the unfinished-work gauges).
    func unfinishedWork() -> WorkQueueUnfinishedWork {
        lock.lock(); defer { lock.unlock() }
        return metrics?.unfinishedWork(now: timers.now()) ?? WorkQueueUnfinishedWork()
    }

    public func shutDown() {
        lock.lock(); shuttingDown = true; lock.unlock()
    }

    private func pump() {
        while true {
            lock.lock()
            guard let process, !shuttingDown, active < workers, head < queue.count else { lock.unlock(); return }
            let key = queue[head]
            head += 1
            if head > 1024, head * 2 > queue.count { queue.removeFirst(head); head = 0 }
            dirty.remove(key)
            processing.insert(key)
            metrics?.started(key, now: timers.now())
            active += 1
            lock.unlock()
            dispatch.async { [self] in
                process(key)
                done(key)
            }
        }
    }

    private func done(_ key: Key) {
        lock.lock()
        metrics?.finished(key, now: timers.now())
        processing.remove(key)
        active -= 1
        // Added again while being processed: it runs again now, after this round.
        if dirty.contains(key) { queue.append(key) }
        lock.unlock()
        pump()
    }
}
