import Foundation

/// A serial queue backed by one dedicated thread with a large stack. Watch fan-out runs here rather
/// than on a Dispatch queue, whose threads have 512 KiB stacks: objects may nest up to JSON's
/// 10,000 levels, and encoding or releasing them recurses.
final class SerialWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var head = 0
    private var stopped = false
    /// True while the thread sleeps on the condition; only then does a new job need a signal, which
    /// spares a futex wake per storage write when the worker is already busy or lingering.
    private var sleeping = false
    /// After a batch the worker waits this long, without being signalled, for more jobs before it
    /// sleeps. Under a stream of writes (one job per write) this turns a wake per write, paid by
    /// the writer under the storage lock, into at most one timed wake per `linger`; the first job
    /// after a quiet spell still wakes the worker at once.
    private let linger: TimeInterval
    private let tickInterval: TimeInterval
    private let tick: (@Sendable () -> Void)?

    /// - Parameters:
    ///   - tickInterval: how often `tick` runs between jobs.
    ///   - stackBytes: the thread's stack size.
    ///   - linger: how long to wait for more jobs after a batch before sleeping until signalled.
    init(name: String, stackBytes: Int = 64 << 20, tickInterval: TimeInterval = 1, linger: TimeInterval = 0.001,
         tick: (@Sendable () -> Void)? = nil) {
        self.tickInterval = tickInterval
        self.linger = linger
        self.tick = tick
        // The thread keeps the worker alive until `stop()` lets `run()` return: an owner may drop the
        // worker right after stopping it, while the thread is still finishing its last batch.
        let thread = Thread { self.run() }
        thread.name = name
        thread.stackSize = stackBytes
        thread.start()
    }

    func async(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        if sleeping { condition.signal() }
        condition.unlock()
    }

    /// Runs `job` on the worker and waits for it.
    func sync<T>(_ job: @escaping () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: T?
        async {
            result = job()
            done.signal()
        }
        done.wait()
        return result!
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()  // unconditionally: stopping must wake it
        condition.unlock()
    }

    private func run() {
        var nextTick = Date().addingTimeInterval(tickInterval)
        var ranJobs = false
        while true {
            condition.lock()
            if ranJobs, head == jobs.count, !stopped {
                _ = condition.wait(until: min(Date().addingTimeInterval(linger), nextTick))
            }
            while head == jobs.count, !stopped, Date() < nextTick {
                sleeping = true
                _ = condition.wait(until: nextTick)
                sleeping = false
            }
            if stopped, head == jobs.count { condition.unlock(); return }
            var batch: [() -> Void] = []
            if head < jobs.count {
                batch = Array(jobs[head...])
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            ranJobs = !batch.isEmpty
            for job in batch { job() }
            if Date() >= nextTick {
                tick?()
                nextTick = Date().addingTimeInterval(tickInterval)
            }
        }
    }
}
