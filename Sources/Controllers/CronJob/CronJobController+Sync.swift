import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension CronJobController {
    /// sync: reconcile `status.active` with the CronJob's Jobs, start the Job due now if any,
    /// write the status, remove finished Jobs past the history limits, and look again just
    /// after the next scheduled time.
    static func sync(_ key: String, _ rt: Runtime) throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let json = rt.cronJobs.get(namespace: parts[0], name: parts[1]) else {
            rt.writes.forget(key)
            rt.statusWrites.forget(key)
            return
        }
        if let lag = rt.writes.staleness(key, cache: rt.jobs) { throw lag }
        if let lag = rt.statusWrites.staleness(key, cache: rt.cronJobs) { throw lag }
        let cronJob = CronJobView(json)
        let jobs = rt.jobs.owned(by: cronJob.meta.uid).filter { $0.meta.controllerRef?.uid == cronJob.meta.uid }
        var status = cronJob.status
        let requeue = try reconcile(cronJob, jobs, &status, key, rt)
        if !SemanticEquality.equal(status, cronJob.status) { try writeStatus(status, cronJob, key, rt) }
        if !cronJob.meta.isBeingDeleted { try cleanUpFinishedJobs(cronJob, jobs, key, rt) }
        if let requeue { rt.queue.addAfter(key, .milliseconds(Int64(max(0, requeue) * 1000))) }
    }

    /// syncCronJob; returns when to look again.
    static func reconcile(_ cronJob: CronJobView, _ jobs: [JSON], _ status: inout JSON, _ key: String, _ rt: Runtime) throws -> TimeInterval? {
        let now = rt.context.timers.now()
        var active = status["active"]?.arrayValue ?? []
        func isActive(_ uid: String) -> Bool { active.contains { $0["uid"]?.stringValue == uid } }
        for job in jobs {
            let view = JobView(job)
            let listed = isActive(view.meta.uid)
            if !listed, !view.isFinished {
                if !rt.reportedUnexpected.withLock({ $0.insert(view.meta.uid).inserted }) { continue }
                event(cronJob, .warning, "UnexpectedJob", "Saw a job that the controller did not create or forgot: \(view.meta.name)", rt)
            } else if listed, view.isFinished {
                active.removeAll { $0["uid"]?.stringValue == view.meta.uid }
                event(cronJob, .normal, "SawCompletedJob", "Saw completed job: \(view.meta.name), condition: \(view.has("Complete") ? "Complete" : "Failed")", rt)
            }
            if view.has("Complete"), let completed = view.completionTime {
                let last = status["lastSuccessfulTime"]?.stringValue.flatMap(Timestamp.parse)
                if last == nil || completed > last! { status["lastSuccessfulTime"] = .string(Timestamp.format(completed)) }
            }
        }
        // A listed Job that is gone is dropped (checked against the store: the cache may lag).
        let present = Set(jobs.map(\.meta.uid))
        for ref in active where !present.contains(ref["uid"]?.stringValue ?? "") {
            let name = ref["name"]?.stringValue ?? ""
            let stored = try? rt.context.client(JobController.jobs).get(namespace: cronJob.meta.namespace, name: name).object
            if stored == nil || stored?.meta.uid != ref["uid"]?.stringValue {
                event(cronJob, .normal, "MissingJob", "Active job went missing: \(name)", rt)
                active.removeAll { $0["uid"] == ref["uid"] }
            }
        }
        status["active"] = active.isEmpty ? nil : .array(active)
        if cronJob.meta.isBeingDeleted { return nil }

        // Without spec.timeZone the schedule runs in the controller's local zone, as upstream's
        // kube-controller-manager reads it; the annotation is then written in UTC (LoadLocation("")).
        var zone = TimeZone.current
        if let name = cronJob.timeZone {
            guard let found = CronSchedule.zone(named: name) else {
                event(cronJob, .warning, "UnknownTimeZone", "invalid timeZone: \(FieldError.quote(name)): unknown time zone \(name)", rt)
                return nil
            }
            zone = found
        }
        if cronJob.isSuspended { return nil }
        let parsed: CronSchedule
        do { parsed = try CronSchedule(parsing: cronJob.schedule) } catch {
            event(cronJob, .warning, "UnparseableSchedule", "unparseable schedule: \(FieldError.quote(cronJob.schedule)) : \(error)", rt)
            return nil
        }
        let schedule = CronJobSchedule(schedule: parsed, zone: zone)
        var current = cronJob
        current.setStatus(status)
        let (due, missed) = schedule.mostRecent(current, now: now, includeStartingDeadline: true)
        if missed == .many {
            event(cronJob, .warning, "TooManyMissedTimes",
                  "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew", rt)
        }
        let next = schedule.untilNext(current, now: now)
        guard let scheduled = due else { return next }
        if let deadline = cronJob.startingDeadlineSeconds, scheduled.addingTimeInterval(TimeInterval(deadline)) < now {
            event(cronJob, .warning, "MissSchedule", "Missed scheduled time to start a job: \(rfc1123Z(scheduled))", rt)
            return next
        }
        let jobName = CronJobJobs.name(cronJob, scheduled: scheduled)
        if active.contains(where: { $0["name"]?.stringValue == jobName }) || current.lastScheduleTime == scheduled {
            return next
        }
        if cronJob.concurrencyPolicy == "Forbid", !active.isEmpty {
            event(cronJob, .normal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid", rt)
            return next
        }
        if cronJob.concurrencyPolicy == "Replace" {
            for ref in active {
                try deleteJob(ref["name"]?.stringValue ?? "", cronJob, key, rt)
                active.removeAll { $0["uid"] == ref["uid"] }
            }
        }
        let store = rt.context.client(JobController.jobs)
        let created: JSON
        var recovered = false
        do {
            created = try store.create(namespace: cronJob.meta.namespace, body: RequestBody(value: CronJobJobs.job(cronJob, scheduled: scheduled,
                                                                                              zone: cronJob.timeZone == nil ? TimeZone(identifier: "UTC")! : zone)),
                                       options: WriteOptions()).object
        } catch {
            // This controller created it before its status write failed: record it now. One made
            // by another actor is left to that actor, as upstream does.
            guard error.isAlreadyExists,
                  let existing = try? store.get(namespace: cronJob.meta.namespace, name: jobName).object,
                  existing.meta.controllerRef?.uid == cronJob.meta.uid else {
                if !error.isAlreadyExists { event(cronJob, .warning, "FailedCreate", "Error creating job: \(error)", rt) }
                throw error
            }
            created = existing
            recovered = true
        }
        rt.writes.wrote(key, created)
        if !recovered { event(cronJob, .normal, "SuccessfulCreate", "Created job \(created.meta.name)", rt) }
        active.append(["kind": "Job", "namespace": .string(created.meta.namespace), "name": .string(created.meta.name),
                       "uid": .string(created.meta.uid), "apiVersion": "batch/v1", "resourceVersion": .string(created.meta.resourceVersion)])
        status["active"] = .array(active)
        status["lastScheduleTime"] = .string(Timestamp.format(scheduled))
        current.setStatus(status)
        return schedule.untilNext(current, now: now)
    }

    /// Go's time.RFC1123Z, in UTC.
    static func rfc1123Z(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    static func deleteJob(_ name: String, _ cronJob: CronJobView, _ key: String, _ rt: Runtime) throws {
        var options = DeleteOptions()
        options.propagationPolicy = .background
        do {
            switch try rt.context.client(JobController.jobs).delete(namespace: cronJob.meta.namespace, name: name, options: options) {
            case .deleted(let object), .marked(let object): rt.writes.wrote(key, object)
            }
            event(cronJob, .normal, "SuccessfulDelete", "Deleted job \(name)", rt)
        } catch {
            if error.isNotFound { return }
            event(cronJob, .warning, "FailedDelete", "Deleted job: \(error)", rt)
            throw error
        }
    }

    /// cleanupFinishedJobs: the oldest finished Jobs (by start time) beyond each history limit go.
    static func cleanUpFinishedJobs(_ cronJob: CronJobView, _ jobs: [JSON], _ key: String, _ rt: Runtime) throws {
        let views = jobs.map(JobView.init).filter { !$0.meta.isBeingDeleted }
        func oldestFirst(_ a: JobView, _ b: JobView) -> Bool {
            switch (a.startTime, b.startTime) {
            case let (x?, y?): return x != y ? x < y : a.meta.name < b.meta.name
            case (nil, nil): return a.meta.name < b.meta.name
            case (nil, _): return false
            case (_, nil): return true
            }
        }
        for (limit, type) in [(cronJob.successfulJobsHistoryLimit, "Complete"), (cronJob.failedJobsHistoryLimit, "Failed")] {
            guard let limit else { continue }
            let finished = views.filter { $0.has(type) }.sorted(by: oldestFirst)
            for job in finished.prefix(max(0, finished.count - limit)) { try deleteJob(job.meta.name, cronJob, key, rt) }
        }
    }

    static func writeStatus(_ status: JSON, _ cronJob: CronJobView, _ key: String, _ rt: Runtime) throws {
        var object = cronJob.object
        object["status"] = status
        do {
            let written = try rt.context.client(cronJobs).updateStatus(namespace: cronJob.meta.namespace, name: cronJob.meta.name,
                                                                          body: RequestBody(value: object), options: WriteOptions()).object
            rt.statusWrites.wrote(key, written)
        } catch {
            if error.isNotFound { return }
            if error.isConflict { throw WriteConflict(description: error.message) }
            throw error
        }
    }

    static func event(_ cronJob: CronJobView, _ type: EventRecorder.EventType, _ reason: String, _ message: String, _ rt: Runtime) {
        rt.context.events.record(cronJob.object, type: type, reason: reason, message: message, component: component)
    }
}
