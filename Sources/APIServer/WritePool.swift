import Foundation

/// Threads that run write requests off the HTTP server's few threads, so that writes waiting for a
/// durable store's group commit do not hold those threads: with one waiting write per client, one
/// fsync then covers every client's write instead of one per HTTP thread.
///
/// Threads are started on demand up to `maxThreads` and then kept. Each has a large stack (Dispatch's
/// 512 KiB is too small): a request may carry JSON nested 10,000 levels deep, and decoding,
/// validating and encoding it recurse.
final class WritePool: @unchecked Sendable {
    private let queue: JobQueue

    init(maxThreads: Int, stackBytes: Int = 64 << 20) {
        queue = JobQueue(maxThreads: max(1, maxThreads), stackBytes: stackBytes)
    }

    /// Runs `job` on a pool thread, FIFO.
    func submit(_ job: @escaping @Sendable () -> Void) { queue.submit(job) }

    /// Threads started so far.
    var threadCount: Int { queue.threadCount }

    /// The threads finish the queued jobs, then exit.
    deinit { queue.stop() }
}

/// The pool's state, shared with its threads (which must not keep the pool itself alive).
private final class JobQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var threads = 0
    private var idle = 0
    private var stopped = false
    private let maxThreads: Int
    private let stackBytes: Int

    init(maxThreads: Int, stackBytes: Int) {
        self.maxThreads = maxThreads
        self.stackBytes = stackBytes
    }

    var threadCount: Int {
        condition.lock(); defer { condition.unlock() }
        return threads
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        // Idle threads already signalled count as taken until they wake, so a burst starts enough.
        if jobs.count - head > idle, threads < maxThreads {
            threads += 1
            let thread = Thread { [self] in run() }
            thread.name = "kubelite.write"
            thread.stackSize = stackBytes
            thread.start()
        }
        condition.signal()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while head == jobs.count, !stopped {
                idle += 1
                condition.wait()
                idle -= 1
            }
            if head == jobs.count {
                threads -= 1
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
