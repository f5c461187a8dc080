import APIMachinery
import Dispatch
import Foundation
@testable import Storage
import Synchronization
import XCTest

final class SQLiteGroupCommitTests: SQLiteTestCase {
    func testConcurrentWritersShareCommits() throws {
        let storage = try open()
        defer { storage.close() }
        // A slow disk: writers arriving during one fsync must share the next.
        storage.simulateSlowCommits(.milliseconds(5))
        let baseline = storage.commitCount
        let writers = 32, perWriter = 10
        let failures = Mutex(0)
        // One thread per writer (concurrentPerform would run only as many as there are cores).
        let finished = DispatchGroup()
        for w in 0..<writers {
            finished.enter()
            Thread {
                for i in 0..<perWriter {
                    do {
                        _ = try storage.create(SQLiteTestCase.key("w\(w)-\(i)"), SQLiteTestCase.configMap("w\(w)-\(i)"))
                    } catch {
                        failures.withLock { $0 += 1 }
                    }
                }
                finished.leave()
            }.start()
        }
        finished.wait()
        XCTAssertEqual(failures.withLock { $0 }, 0)
        let commits = storage.commitCount - baseline
        XCTAssertEqual(storage.list(resource: "configmaps", namespace: nil).items.count, writers * perWriter)
        XCTAssertLessThan(commits, writers * perWriter / 4, "\(commits) fsyncs for \(writers * perWriter) writes")
    }

    func testListenersSeeEveryChangeInRevisionOrderAfterCommit() throws {
        let storage = try open()
        defer { storage.close() }
        let seen = Mutex<[Int64]>([])
        storage.addListener { event in seen.withLock { $0.append(event.revision) } }
        let unheard = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { w in
            for i in 0..<20 {
                guard let created = try? storage.create(SQLiteTestCase.key("l\(w)-\(i)"), SQLiteTestCase.configMap("l\(w)-\(i)")) else { continue }
                // Listeners hear of a write before it returns (and, being called after the commit, never of a lost one).
                if !seen.withLock({ $0.contains(created.revision) }) { unheard.withLock { $0 += 1 } }
            }
        }
        XCTAssertEqual(unheard.withLock { $0 }, 0)
        let revisions = seen.withLock { $0 }
        XCTAssertEqual(revisions.count, 160)
        XCTAssertEqual(revisions, revisions.sorted())
    }

    func testConcurrentCompareAndSwapOnOneKeyAdmitsOneWriterPerRevision() throws {
        let storage = try open()
        defer { storage.close() }
        let created = try storage.create(key("cas"), configMap("cas"))
        let winners = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            if (try? storage.update(SQLiteTestCase.key("cas"), expectedRevision: created.revision, SQLiteTestCase.configMap("cas", data: "w"))) != nil {
                winners.withLock { $0 += 1 }
            }
        }
        XCTAssertEqual(winners.withLock { $0 }, 1)
        XCTAssertThrowsError(try storage.create(key("cas"), configMap("cas")))
    }
}
