import APIMachinery
import Foundation

/// Upstream's schedule arithmetic (pkg/controller/cronjob/utils.go) over a parsed schedule.
struct CronJobSchedule {
    let schedule: CronSchedule
    let zone: TimeZone

    enum Missed { case none, few, many }

    /// mostRecentScheduleTime: the latest scheduled time not after `now` and after the last one
    /// scheduled (or the CronJob's creation, or now less the starting deadline when that is later),
    /// and how many were missed.
    func mostRecent(_ cronJob: CronJobView, now: Date, includeStartingDeadline: Bool) -> (Date?, Missed) {
        var earliest = cronJob.lastScheduleTime ?? cronJob.creationTime ?? now
        if includeStartingDeadline, let deadline = cronJob.startingDeadlineSeconds {
            let schedulingDeadline = now.addingTimeInterval(-TimeInterval(deadline))
            if schedulingDeadline > earliest { earliest = schedulingDeadline }
        }
        guard let first = schedule.next(after: earliest, in: zone), first <= now else { return (nil, .none) }
        var latest = first
        var count = 1
        // Walk the schedule; past a hundred misses only the count's size matters, so jump ahead
        // by the interval upstream estimates from two consecutive times.
        while let t = schedule.next(after: latest, in: zone), t <= now {
            count += 1
            latest = t
            if count == 101, let second = schedule.next(after: first, in: zone) {
                let interval = second.timeIntervalSince(first)
                if interval >= 1 {
                    let skip = ((now.timeIntervalSince(latest)) / interval).rounded(.down) - 1
                    if skip > 0 { latest = latest.addingTimeInterval(skip * interval); count += Int(skip) }
                }
            }
        }
        return (latest, count > 100 ? .many : count > 1 ? .few : .none)
    }

    /// nextScheduleTimeDuration: how long until just after the next scheduled time.
    func untilNext(_ cronJob: CronJobView, now: Date) -> TimeInterval? {
        let (recent, _) = mostRecent(cronJob, now: now, includeStartingDeadline: false)
        let from = recent ?? now
        guard let next = schedule.next(after: from, in: zone) else { return nil }
        // A most recent time far behind (missed runs) counts from now.
        let target = next > now ? next : (schedule.next(after: now, in: zone) ?? next)
        return target.addingTimeInterval(CronJobController.nextScheduleDelta).timeIntervalSince(now)
    }
}
