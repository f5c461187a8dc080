import APIMachinery
import Foundation

extension LeaderElector {
    /// One attempt of round `round`: acquire or renew, then decide what comes next. Attempts never
    /// overlap: each schedules the next when it is done.
    func attempt(_ round: Int) {
        guard state.withLock({ $0.round == round }) else { return }
        let acquired = tryAcquireOrRenew()
        let now = timers.now()
        enum Outcome { case started, renewed, stillFailing, lost, waiting, stale }
        let outcome = state.withLock { s -> Outcome in
            guard s.round == round else { return acquired ? .stale : .waiting }
            switch (acquired, s.leading) {
            case (true, false):
                s.leading = true
                s.lastRenew = now
                return .started
            case (true, true):
                s.lastRenew = now
                return .renewed
            case (false, true):
                guard let last = s.lastRenew, now.timeIntervalSince(last) < configuration.renewDeadline.seconds else {
                    s.leading = false
                    return .lost
                }
                return .stillFailing
            case (false, false):
                return .waiting
            }
        }
        switch outcome {
        case .started:
            logger.info("successfully acquired lease \(lock.description)")
            callbacks.startedLeading()
            scheduleDeadlineCheck(round, renewedAt: now)
            scheduleAttempt(round, after: configuration.retryPeriod)
        case .renewed:
            scheduleDeadlineCheck(round, renewedAt: now)
            scheduleAttempt(round, after: configuration.retryPeriod)
        case .stillFailing:
            // client-go's renew polls every retry period, without jitter, until the deadline.
            scheduleAttempt(round, after: configuration.retryPeriod)
        case .lost:
            loseLease()
            scheduleAttempt(round, after: configuration.retryPeriod)
        case .waiting:
            scheduleAttempt(round, after: nextAcquireDelay(now: now))
        case .stale:
            // Acquired after `stop`: nobody will renew it, so hand it straight back.
            release()
        }
    }

    /// client-go's tryAcquireOrRenew: true when this candidate holds the Lease after the call.
    func tryAcquireOrRenew() -> Bool {
        let now = timers.now()
        var record = LeaderElectionRecord(holderIdentity: identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
                                          acquireTime: now, renewTime: now, leaseTransitions: 0)
        // The leader's fast path: write over the Lease as it last wrote it, without reading first.
        // A conflict (someone else wrote it) falls through to the full read.
        let (leading, cached) = state.withLock { ($0.leading, $0.observed) }
        if leading, let cached, cached.record.holderIdentity == identity {
            record.acquireTime = cached.record.acquireTime
            record.leaseTransitions = cached.record.leaseTransitions
            if let written = try? lock.update(cached, to: record) {
                observe(written, at: now)
                return true
            }
        }
        let current: LeaseLock.Observed?
        do {
            current = try lock.get()
        } catch {
            logger.warning("error retrieving resource lock \(lock.description): \(error)")
            return false
        }
        guard let current else {
            do {
                observe(try lock.create(record), at: now)
                return true
            } catch {
                logger.warning("error initially creating leader election record: \(error)")
                return false
            }
        }
        let observedTime = observe(current, at: now)
        let old = current.record
        if !old.holderIdentity.isEmpty, old.holderIdentity != identity,
           observedTime.addingTimeInterval(TimeInterval(old.leaseDurationSeconds)) > now {
            logger.debug("lock is held by \(old.holderIdentity) and has not yet expired")
            return false
        }
        if old.holderIdentity == identity {
            record.acquireTime = old.acquireTime
            record.leaseTransitions = old.leaseTransitions
        } else {
            record.leaseTransitions = old.leaseTransitions + 1
        }
        do {
            observe(try lock.update(current, to: record), at: now)
            return true
        } catch {
            logger.debug("failed to update lock \(lock.description): \(error)")
            return false
        }
    }

    /// Keeps `lease` as the last observation; the observation time moves only when the record
    /// changed (a holder that stops renewing leaves it still). Answers the observation time.
    @discardableResult
    func observe(_ lease: LeaseLock.Observed, at now: Date) -> Date {
        let (time, newLeader) = state.withLock { s -> (Date, String?) in
            if s.observed?.record != lease.record || s.observedTime == nil { s.observedTime = now }
            s.observed = lease
            let holder = lease.record.holderIdentity
            guard !holder.isEmpty, holder != s.reportedLeader else { return (s.observedTime ?? now, nil) }
            s.reportedLeader = holder
            return (s.observedTime ?? now, holder)
        }
        if let newLeader, newLeader != identity { logger.info("new leader for \(lock.description): \(newLeader)") }
        return time
    }

    /// Pause before the next attempt to acquire: upstream's jittered retry period, or less when
    /// the Lease, as last seen, expires sooner. Attempting right at expiry is not in client-go; it
    /// keeps a dead leader's successor from waiting up to another 2.2 retry periods.
    func nextAcquireDelay(now: Date) -> Duration {
        let jittered = configuration.retryPeriod * (1 + random() * LeaderElectionConfiguration.jitterFactor)
        let expiry = state.withLock { s -> Date? in
            guard let record = s.observed?.record, !record.holderIdentity.isEmpty, let seen = s.observedTime else { return nil }
            return seen.addingTimeInterval(TimeInterval(record.leaseDurationSeconds))
        }
        guard let expiry else { return jittered }
        let untilExpiry = Duration.milliseconds(Int64(max(0, expiry.timeIntervalSince(now)) * 1000))
        return min(jittered, untilExpiry)
    }

    func scheduleAttempt(_ round: Int, after delay: Duration) {
        timers.after(delay) { [self] in executor { [self] in attempt(round) } }
    }

    /// Runs on the timers, not the executor: an attempt stuck on an unreachable etcd must not
    /// keep a leader leading past its renew deadline. It schedules no attempt: the stuck one
    /// schedules the next when it returns, and a second chain of attempts would double them.
    func scheduleDeadlineCheck(_ round: Int, renewedAt renewed: Date) {
        timers.after(configuration.renewDeadline) { [self] in
            let expired = state.withLock { s -> Bool in
                guard s.round == round, s.leading, s.lastRenew == renewed else { return false }
                s.leading = false
                return true
            }
            if expired { loseLease() }
        }
    }

    /// Leadership ended without `stop`; the attempts go on, now to acquire.
    private func loseLease() {
        logger.warning("failed to renew lease \(lock.description): timed out waiting for the condition")
        callbacks.stoppedLeading()
    }

    /// client-go's release: no holder, a one-second duration, the transitions kept. Only when the
    /// Lease is still this candidate's: a stale copy fails on its resourceVersion.
    func release() {
        guard let observed = state.withLock({ $0.observed }), observed.record.holderIdentity == identity else { return }
        let now = timers.now()
        let released = LeaderElectionRecord(holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now,
                                            leaseTransitions: observed.record.leaseTransitions)
        do {
            observe(try lock.update(observed, to: released), at: now)
            logger.info("released lease \(lock.description)")
        } catch {
            logger.warning("failed to release lock \(lock.description): \(error)")
        }
    }
}
