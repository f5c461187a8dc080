import APIMachinery
@testable import ControllerRuntime
import Foundation
import KubeliteTesting
import Registry
import Storage
import Synchronization
import XCTest

/// Leader election on a Lease with client-go's rules, each candidate on its own manual clock (a
/// candidate whose clock does not move is a stopped process: it neither renews nor releases).
final class LeaderElectorTests: XCTestCase {
    let registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
    lazy var leases = registry.store(group: "coordination.k8s.io", plural: "leases")!
    let configuration = LeaderElectionConfiguration.upstream

    override func setUpWithError() throws { try registry.bootstrap() }
    override func tearDown() { registry.stopWatches() }

    /// What the callbacks saw, in order: "started", "stopped".
    final class CallbackLog: Sendable {
        let entries = Mutex<[String]>([])
        var all: [String] { entries.withLock { $0 } }
        var callbacks: LeaderElector.Callbacks {
            LeaderElector.Callbacks(startedLeading: { self.entries.withLock { $0.append("started") } },
                                    stoppedLeading: { self.entries.withLock { $0.append("stopped") } })
        }
    }

    /// Work the executor holds back while `stuck` (an attempt waiting on an unreachable etcd).
    final class Executor: Sendable {
        let stuck = Mutex(false)
        let held = Mutex<[@Sendable () -> Void]>([])
        let runs = Mutex(0)
        func run(_ work: @escaping @Sendable () -> Void) {
            if stuck.withLock({ $0 }) { held.withLock { $0.append(work) }; return }
            runs.withLock { $0 += 1 }
            work()
        }
        /// Lets the held work run, as etcd answering again.
        func unstick() {
            stuck.withLock { $0 = false }
            for work in held.withLock({ held -> [@Sendable () -> Void] in defer { held = [] }; return held }) { run(work) }
        }
    }

    func candidate(_ identity: String, timers: ManualTimers, log: CallbackLog, executor: Executor = Executor()) -> LeaderElector {
        LeaderElector(lock: LeaseLock(namespace: "kube-system", name: "kube-controller-manager", store: leases),
                      identity: identity, configuration: configuration, timers: timers, callbacks: log.callbacks,
                      random: { 0 }, executor: { executor.run($0) })
    }

    var record: LeaderElectionRecord {
        get throws { LeaderElectionRecord(lease: try leases.get(namespace: "kube-system", name: "kube-controller-manager").object) }
    }

    func testAcquiresAFreeLeaseAtOnce() throws {
        let timers = ManualTimers(), log = CallbackLog()
        let a = candidate("a", timers: timers, log: log)
        a.run()
        XCTAssertTrue(a.isLeader)
        XCTAssertEqual(log.all, ["started"])
        let lease = try record
        XCTAssertEqual(lease.holderIdentity, "a")
        XCTAssertEqual(lease.leaseDurationSeconds, 15)
        XCTAssertEqual(lease.leaseTransitions, 0)
        XCTAssertEqual(lease.acquireTime?.timeIntervalSince1970 ?? 0, timers.now().timeIntervalSince1970, accuracy: 1e-3)
        XCTAssertEqual(lease.renewTime, lease.acquireTime)
    }

    func testRenewsEveryRetryPeriodKeepingAcquireTime() throws {
        let timers = ManualTimers(), log = CallbackLog()
        let a = candidate("a", timers: timers, log: log)
        a.run()
        let acquired = try record
        timers.advance(by: .seconds(2))
        let renewed = try record
        XCTAssertEqual(renewed.renewTime?.timeIntervalSince(acquired.renewTime!) ?? 0, 2, accuracy: 1e-3)
        XCTAssertEqual(renewed.acquireTime, acquired.acquireTime)
        XCTAssertEqual(renewed.leaseTransitions, 0)
        timers.advance(by: .seconds(60))
        XCTAssertTrue(a.isLeader)
        XCTAssertEqual(log.all, ["started"])
    }

    func testDoesNotTakeAFreshLeaseThenTakesItOverAfterExpiry() throws {
        let clockA = ManualTimers(), clockB = ManualTimers(), logA = CallbackLog(), logB = CallbackLog()
        let a = candidate("a", timers: clockA, log: logA)
        let b = candidate("b", timers: clockB, log: logB)
        a.run()
        b.run()
        XCTAssertFalse(b.isLeader)
        XCTAssertEqual(b.observedLeader, "a")
        // a renews while b watches: b never sees the Lease still for 15 s.
        for _ in 0..<10 {
            clockA.advance(by: .seconds(2))
            clockB.advance(by: .seconds(2))
        }
        XCTAssertFalse(b.isLeader)
        XCTAssertEqual(try record.holderIdentity, "a")
        // a stops (its clock no longer moves): b takes over once 15 s have passed since it last
        // saw the Lease change, not before.
        clockB.advance(by: .seconds(14))
        XCTAssertFalse(b.isLeader)
        clockB.advance(by: .seconds(1))
        XCTAssertTrue(b.isLeader)
        XCTAssertEqual(logB.all, ["started"])
        let lease = try record
        XCTAssertEqual(lease.holderIdentity, "b")
        XCTAssertEqual(lease.leaseTransitions, 1)
        XCTAssertEqual(lease.acquireTime?.timeIntervalSince1970 ?? 0, clockB.now().timeIntervalSince1970, accuracy: 1e-3)
    }

    func testStopsLeadingWhenRenewalsFailPastTheRenewDeadlineThenAcquiresAgain() throws {
        let timers = ManualTimers(), log = CallbackLog()
        let a = candidate("a", timers: timers, log: log)
        a.run()
        // Someone else writes the Lease as theirs: a's renewals fail from now on.
        var lease = try leases.get(namespace: "kube-system", name: "kube-controller-manager").object
        lease[path: "spec", "holderIdentity"] = "intruder"
        _ = try leases.update(namespace: "kube-system", name: "kube-controller-manager", body: RequestBody(value: lease), options: WriteOptions())
        timers.advance(by: .seconds(9))
        XCTAssertTrue(a.isLeader, "still within the 10 s renew deadline")
        XCTAssertEqual(log.all, ["started"])
        timers.advance(by: .seconds(1))
        XCTAssertFalse(a.isLeader)
        XCTAssertEqual(log.all, ["started", "stopped"])
        // Back to acquiring: the intruder never renews, so a takes the Lease once it expires,
        // 15 s after a first saw the intruder's write (at its renewal 2 s in).
        timers.advance(by: .seconds(6))
        XCTAssertFalse(a.isLeader)
        timers.advance(by: .seconds(1))
        XCTAssertTrue(a.isLeader)
        XCTAssertEqual(log.all, ["started", "stopped", "started"])
        XCTAssertEqual(try record.holderIdentity, "a")
        XCTAssertEqual(try record.leaseTransitions, 1)
    }

    func testALeaderWhoseRenewalHangsStopsAtTheDeadline() throws {
        let timers = ManualTimers(), log = CallbackLog(), executor = Executor()
        let a = candidate("a", timers: timers, log: log, executor: executor)
        a.run()
        executor.stuck.withLock { $0 = true }
        timers.advance(by: .seconds(9))
        XCTAssertTrue(a.isLeader)
        timers.advance(by: .seconds(1))
        XCTAssertFalse(a.isLeader, "the deadline is checked on the timers, not after the stuck attempt")
        XCTAssertEqual(log.all, ["started", "stopped"])
        // The stuck attempt returns: the Lease is still a's, so a leads again, and attempts go on
        // once per retry period (one chain of them, not one more per lost lease).
        executor.unstick()
        XCTAssertTrue(a.isLeader)
        XCTAssertEqual(log.all, ["started", "stopped", "started"])
        let before = executor.runs.withLock { $0 }
        timers.advance(by: .seconds(10))
        XCTAssertEqual(executor.runs.withLock { $0 } - before, 5)
    }

    func testGracefulStopReleasesSoTheNextCandidateNeedNotWaitOutTheLease() throws {
        let clockA = ManualTimers(), clockB = ManualTimers(), logA = CallbackLog(), logB = CallbackLog()
        let a = candidate("a", timers: clockA, log: logA)
        let b = candidate("b", timers: clockB, log: logB)
        a.run()
        b.run()
        a.stop()
        XCTAssertFalse(a.isLeader)
        XCTAssertEqual(logA.all, ["started", "stopped"])
        let released = try record
        XCTAssertEqual(released.holderIdentity, "")
        XCTAssertEqual(released.leaseDurationSeconds, 1)
        XCTAssertEqual(released.leaseTransitions, 0)
        clockB.advance(by: .seconds(2))
        XCTAssertTrue(b.isLeader, "one retry period, not the 15 s lease duration")
        XCTAssertEqual(try record.leaseTransitions, 1)
        // Stopped, a no longer tries.
        clockA.advance(by: .seconds(60))
        XCTAssertEqual(logA.all, ["started", "stopped"])
    }

    func testLeaseTransitionsCountEachChangeOfHolder() throws {
        let clockA = ManualTimers(), clockB = ManualTimers(), logA = CallbackLog(), logB = CallbackLog()
        let a = candidate("a", timers: clockA, log: logA)
        let b = candidate("b", timers: clockB, log: logB)
        a.run()
        b.run()
        a.stop()
        clockB.advance(by: .seconds(2))
        let a2 = candidate("a", timers: clockA, log: logA)
        a2.run()
        b.stop()
        clockA.advance(by: .seconds(2))
        XCTAssertTrue(a2.isLeader)
        XCTAssertEqual(try record.leaseTransitions, 2)
        // Renewing does not count.
        clockA.advance(by: .seconds(10))
        XCTAssertEqual(try record.leaseTransitions, 2)
    }

    func testTwoCandidatesRacingForAnExpiredLeaseCannotBothWin() throws {
        let clockA = ManualTimers(), clockB = ManualTimers(), clockC = ManualTimers()
        let logs = (CallbackLog(), CallbackLog(), CallbackLog())
        let a = candidate("a", timers: clockA, log: logs.0)
        let b = candidate("b", timers: clockB, log: logs.1)
        let c = candidate("c", timers: clockC, log: logs.2)
        a.run(); b.run(); c.run()
        clockB.advance(by: .seconds(15))
        clockC.advance(by: .seconds(15))
        XCTAssertTrue(b.isLeader)
        XCTAssertFalse(c.isLeader, "c read the Lease b had just written: fresh again")
        XCTAssertEqual(try record.holderIdentity, "b")
    }

    func testTimingsAreCheckedAsClientGoDoes() {
        XCTAssertNil(LeaderElectionConfiguration.upstream.problem)
        XCTAssertEqual(LeaderElectionConfiguration(leaseDuration: .seconds(10), renewDeadline: .seconds(10), retryPeriod: .seconds(2)).problem,
                       "leaseDuration must be greater than renewDeadline")
        XCTAssertEqual(LeaderElectionConfiguration(leaseDuration: .seconds(15), renewDeadline: .seconds(2), retryPeriod: .seconds(2)).problem,
                       "renewDeadline must be greater than retryPeriod*JitterFactor")
        XCTAssertNil(LeaderElectionConfiguration(leaseDuration: .seconds(4), renewDeadline: .seconds(3), retryPeriod: .milliseconds(500)).problem)
    }
}
