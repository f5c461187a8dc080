import Foundation

/// The committer thread: the only user of the database connection after startup. It drains the
/// queue of sequenced writes into one transaction per turn (group commit), applies and publishes
/// them once committed, and runs compactions and other jobs between turns.
extension SQLiteStorage {
    func startCommitter() {
        let thread = Thread { [self] in runCommitter() }
        thread.name = "kubelite.sqlite-committer"
        // Applying publishes events and may release deeply nested objects, which recurses.
        thread.stackSize = 64 << 20
        thread.start()
    }

    private func runCommitter() {
        var nextCompaction = Date().addingTimeInterval(Self.seconds(compactionInterval))
        while true {
            sequencer.lock()
            while queue.isEmpty, jobs.isEmpty, !stopped, Date() < nextCompaction {
                _ = sequencer.wait(until: nextCompaction)
            }
            let batch = queue
            let due = jobs
            queue = []
            jobs = []
            let finished = stopped && batch.isEmpty && due.isEmpty
            sequencer.unlock()
            if finished { break }
            for job in due { job(log) }
            if !batch.isEmpty { commit(batch) }
            // Write pressure: without it, large objects rewritten often fill the disk with superseded
            // rows long before the next scheduled compaction.
            if Date() >= nextCompaction || bytesSinceCompaction >= historyBytes {
                compactNow()
                nextCompaction = Date().addingTimeInterval(Self.seconds(compactionInterval))
            }
        }
        committerDone.signal()
    }

    /// Makes `batch` durable in one transaction, then applies and publishes it in revision order and
    /// wakes its writers; on failure fails them and every write sequenced after them.
    private func commit(_ batch: [Write]) {
        do {
            try log.append(batch.map(\.row))
        } catch {
            sequencer.lock()
            let behind = queue
            queue = []
            pending = [:]
            sequencer.unlock()
            let failure = StorageError.unavailable("storage write failed: \(error.message)")
            let failed = batch + behind
            if let first = failed.first, let last = failed.last {
                markSettled(through: last.event.revision, failed: first.event.revision...last.event.revision)
            }
            for write in failed { write.ticket.complete(failure) }
            return
        }
        bytesSinceCompaction += batch.reduce(0) { $0 + $1.row.value.count }
        sequencer.lock()
        memory.apply(batch.map(\.event))
        for write in batch {
            let key = write.event.object.key
            if pending[key]?.revision == write.event.revision { pending[key] = nil }
        }
        sequencer.unlock()
        if let last = batch.last { markSettled(through: last.event.revision) }
        for write in batch { write.ticket.complete(nil) }
    }

    /// Wakes `awaitCommit` callers waiting for revisions up to `revision`.
    private func markSettled(through revision: Int64, failed: ClosedRange<Int64>? = nil) {
        settled.lock()
        if let failed { failedRevisions.append(failed) }
        settledRevision = max(settledRevision, revision)
        settled.broadcast()
        settled.unlock()
    }

    /// Compacts the log to the memory backend's history window (its count and byte bounds), so a
    /// restart resumes watches from exactly the revisions this process would, then returns the freed
    /// pages to the file system.
    @discardableResult
    func compactNow() -> Int {
        bytesSinceCompaction = 0
        let removed = (try? log.compact(through: memory.historyWindow.compactedRevision)) ?? 0
        if removed > 0 { _ = try? log.returnFreePages() }
        return removed
    }

    /// Runs `job` on the committer between transactions and returns its result.
    func onCommitter<T>(_ job: @escaping (SQLiteLog) -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: T?
        sequencer.lock()
        jobs.append { log in
            result = job(log)
            done.signal()
        }
        sequencer.signal()
        sequencer.unlock()
        done.wait()
        return result!
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Operations for tests and diagnostics; each runs on the committer between transactions.
extension SQLiteStorage {
    /// Transactions committed since startup (each one fsync).
    public var commitCount: Int { onCommitter { $0.commits } }

    /// Makes the next `count` commits fail as an I/O error would.
    public func failNextCommits(_ count: Int) { onCommitter { $0.injectedFailures = count } }

    /// Caps the database at `pages` pages (nil lifts the cap): writes past it fail with SQLITE_FULL,
    /// as on a full disk.
    public func limitDatabasePages(_ pages: Int64?) throws {
        try onCommitter { log in Result { try log.limitPages(pages) } }.get()
    }

    /// Makes every commit take at least `delay` longer, as on a slow disk.
    public func simulateSlowCommits(_ delay: Duration) { onCommitter { $0.commitDelay = delay } }

    public var databasePages: Int64 { onCommitter { (try? $0.pageCount()) ?? 0 } }

    /// Pages on the database's free list (space neither used nor returned to the file system).
    public var databaseFreePages: Int64 { onCommitter { (try? $0.freePageCount()) ?? 0 } }

    /// Compacts now instead of at the next scheduled time; returns the log rows removed.
    @discardableResult
    public func compact() -> Int { onCommitter { _ in self.compactNow() } }
}
