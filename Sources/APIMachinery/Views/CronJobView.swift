import Foundation

/// Typed access to a batch/v1 CronJob as defaulted (Allow, not suspended, history 3 and 1).
public struct CronJobView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ cronJob: JSON) { fields = ObjectFields(cronJob) }

    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }
    public var schedule: String { fields.string("spec", "schedule") ?? "" }
    public var timeZone: String? { fields.string("spec", "timeZone") }
    public var concurrencyPolicy: String { fields.string("spec", "concurrencyPolicy") ?? "Allow" }
    public var isSuspended: Bool { fields.bool("spec", "suspend") ?? false }
    public var startingDeadlineSeconds: Int64? { fields.int("spec", "startingDeadlineSeconds") }
    /// nil: keep every finished Job of that kind.
    public var successfulJobsHistoryLimit: Int? { fields.int("spec", "successfulJobsHistoryLimit").map(Int.init) }
    public var failedJobsHistoryLimit: Int? { fields.int("spec", "failedJobsHistoryLimit").map(Int.init) }
    public var jobTemplate: JSON { fields.json("spec", "jobTemplate") ?? [:] }
    public var creationTime: Date? { meta.creationTimestamp.flatMap(Timestamp.parse) }

    public var status: JSON { fields.json("status") ?? [:] }
    /// `status.active` as stored (object references to the running Jobs).
    public var active: [JSON] { (fields.json("status", "active")?.arrayValue ?? []) }
    public var activeUIDs: Set<String> { Set(active.compactMap { $0["uid"]?.stringValue }) }
    public var lastScheduleTime: Date? { fields.string("status", "lastScheduleTime").flatMap(Timestamp.parse) }
    public var lastSuccessfulTime: Date? { fields.string("status", "lastSuccessfulTime").flatMap(Timestamp.parse) }
}

extension CronJobView {
    /// Replaces the status a sync reasons on (the controller's own draft).
    public mutating func setStatus(_ status: JSON) { fields.set(status, "status") }
}
