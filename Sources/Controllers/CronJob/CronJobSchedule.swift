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
        while count <= 100, let t = schedule.next(after: latest, in: zone), t <= now {
            latest = t
            count += 1
        }
        if count <= 100 { return (latest, count > 1 ? .few : .none) }
        // More than a hundred missed: only the most recent matters. Look back from now over a
        // window that doubles until it holds a scheduled time, then walk forward in it.
        let interval = max(60, (schedule.next(after: first, in: zone) ?? first).timeIntervalSince(first))
        var back = interval
        while true {
            let probe = max(latest, now.addingTimeInterval(-back))
            if let t = schedule.next(after: probe, in: zone), t <= now {
                var recent = t
                while let n = schedule.next(after: recent, in: zone), n <= now { recent = n }
                return (recent, .many)
            }
            if probe == latest { return (latest, .many) }
            back *= 2
        }
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
