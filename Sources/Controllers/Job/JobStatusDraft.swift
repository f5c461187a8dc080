import APIMachinery
import ControllerRuntime
import Foundation

/// The status a sync computes for a Job, starting from the stored one; `json` is what is written
/// through `jobs/status` (1.32 always writes `ready`, `terminating` and `uncountedTerminatedPods`).
struct JobStatusDraft {
    var startTime: String?
    var completionTime: String?
    var active = 0, ready = 0, terminating = 0
    var succeeded: Int, failed: Int
    var completedIndexes: Set<Int>
    /// With backoffLimitPerIndex: the indexes that failed for good (nil otherwise).
    var failedIndexes: Set<Int>?
    var conditions: [JSON]
    var uncountedSucceeded: [String], uncountedFailed: [String]
    let stored: JSON
    /// Events about the status change, recorded once it is written.
    var events: [(type: EventRecorder.EventType, reason: String, message: String)] = []

    init(_ job: JobView) {
        let status = job.status
        stored = status
        startTime = status["startTime"]?.stringValue
        completionTime = status["completionTime"]?.stringValue
        active = job.active
        ready = Int(status["ready"]?.intValue ?? 0)
        terminating = Int(status["terminating"]?.intValue ?? 0)
        succeeded = job.succeeded
        failed = job.failed
        completedIndexes = CompletedIndexes.parse(job.completedIndexes)
        failedIndexes = job.backoffLimitPerIndex == nil ? nil : CompletedIndexes.parse(job.failedIndexes ?? "")
        conditions = status["conditions"]?.arrayValue ?? []
        uncountedSucceeded = job.uncountedSucceeded
        uncountedFailed = job.uncountedFailed
    }

    func has(_ type: String) -> Bool {
        conditions.contains { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
    }

    func condition(_ type: String) -> JSON? { conditions.first { $0["type"]?.stringValue == type } }

    /// Sets a condition, moving its transition time only when its status changes (upstream's
    /// ensureJobConditionStatus).
    mutating func set(_ type: String, _ status: String, reason: String, message: String, now: Date) {
        let time = JSON.string(Timestamp.format(now))
        if let i = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
            if conditions[i]["status"]?.stringValue == status { return }
            conditions[i] = ["type": .string(type), "status": .string(status), "lastProbeTime": time,
                             "lastTransitionTime": time, "reason": .string(reason), "message": .string(message)]
        } else {
            conditions.append(["type": .string(type), "status": .string(status), "lastProbeTime": time,
                               "lastTransitionTime": time, "reason": .string(reason), "message": .string(message)])
        }
    }

    func json(indexed: Bool) -> JSON {
        var status: JSONObject = [:]
        if let startTime { status["startTime"] = .string(startTime) }
        if let completionTime { status["completionTime"] = .string(completionTime) }
        if active > 0 { status["active"] = .int(Int64(active)) }
        if succeeded > 0 { status["succeeded"] = .int(Int64(succeeded)) }
        if failed > 0 { status["failed"] = .int(Int64(failed)) }
        status["ready"] = .int(Int64(ready))
        status["terminating"] = .int(Int64(terminating))
        if !conditions.isEmpty { status["conditions"] = .array(conditions) }
        if indexed, !completedIndexes.isEmpty { status["completedIndexes"] = .string(CompletedIndexes.format(completedIndexes)) }
        if let failedIndexes { status["failedIndexes"] = .string(CompletedIndexes.format(failedIndexes)) }
        var uncounted: JSONObject = [:]
        if !uncountedSucceeded.isEmpty { uncounted["succeeded"] = .array(uncountedSucceeded.map(JSON.string)) }
        if !uncountedFailed.isEmpty { uncounted["failed"] = .array(uncountedFailed.map(JSON.string)) }
        status["uncountedTerminatedPods"] = .object(uncounted)
        return .object(status)
    }
}
