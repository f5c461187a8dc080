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
    /// spares a futex wake per storage write when the worker is already busy.
    private var sleeping = false
    private let tickInterval: TimeInterval
    private let tick: (@Sendable () -> Void)?

    /// - Parameters:
    ///   - tickInterval: how often `tick` runs between jobs.
    ///   - stackBytes: the thread's stack size.
    init(name: String, stackBytes: Int = 64 << 20, tickInterval: TimeInterval = 1, tick: (@Sendable () -> Void)? = nil) {
        self.tickInterval = tickInterval
        self.tick = tick
        let thread = Thread { [unowned self] in self.run() }
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
        while true {
            condition.lock()
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
            for job in batch { job() }
            if Date() >= nextTick {
                tick?()
                nextTick = Date().addingTimeInterval(tickInterval)
            }
        }
    }
}
