import Foundation

/// Typed access to a batch/v1 Job, reading defaulted fields as the controllers see them after the
/// API server's defaulting (parallelism 1, backoffLimit 6, NonIndexed, not suspended).
public struct JobView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ job: JSON) { fields = ObjectFields(job) }

    /// The Job as stored: the escape hatch for status writes and events.
    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }

    // MARK: spec

    public var parallelism: Int { Int(fields.int("spec", "parallelism") ?? 1) }
    /// nil: any one success completes the Job (a work queue).
    public var completions: Int? { fields.int("spec", "completions").map(Int.init) }
    public var backoffLimit: Int { Int(fields.int("spec", "backoffLimit") ?? 6) }
    public var activeDeadlineSeconds: Int64? { fields.int("spec", "activeDeadlineSeconds") }
    /// Retries allowed per index of an Indexed Job (nil: one backoffLimit for the whole Job).
    public var backoffLimitPerIndex: Int? { fields.int("spec", "backoffLimitPerIndex").map(Int.init) }
    public var maxFailedIndexes: Int? { fields.int("spec", "maxFailedIndexes").map(Int.init) }
    public var ttlSecondsAfterFinished: Int64? { fields.int("spec", "ttlSecondsAfterFinished") }
    public var isIndexed: Bool { fields.string("spec", "completionMode") == "Indexed" }
    public var isSuspended: Bool { fields.bool("spec", "suspend") ?? false }
    /// `Failed`: a terminating pod is replaced only once it has failed.
    public var replacesOnlyFailedPods: Bool { fields.string("spec", "podReplacementPolicy") == "Failed" }
    public var managedBy: String? { fields.string("spec", "managedBy") }
    public var selector: LabelSelector { LabelSelector(json: fields.json("spec", "selector")) }
    public var template: JSON { fields.json("spec", "template") ?? [:] }
    public var restartPolicy: String { fields.string("spec", "template", "spec", "restartPolicy") ?? "" }

    // MARK: status

    public var status: JSON { fields.json("status") ?? [:] }
    public var startTime: Date? { fields.string("status", "startTime").flatMap(Timestamp.parse) }
    public var succeeded: Int { Int(fields.int("status", "succeeded") ?? 0) }
    public var failed: Int { Int(fields.int("status", "failed") ?? 0) }
    public var active: Int { Int(fields.int("status", "active") ?? 0) }
    public var completedIndexes: String { fields.string("status", "completedIndexes") ?? "" }
    public var failedIndexes: String? { fields.string("status", "failedIndexes") }
    public var conditions: [JobConditionView] { fields.list("status", "conditions").map(JobConditionView.init(fields:)) }
    public func condition(_ type: String) -> JobConditionView? { conditions.first { $0.type == type } }
    /// Whether a condition of `type` is True.
    public func has(_ type: String) -> Bool { condition(type)?.status == "True" }
    /// IsJobFinished: Complete or Failed is True.
    public var isFinished: Bool { has("Complete") || has("Failed") }
    /// When the Job finished (its Complete or Failed condition's transition), for the TTL.
    public var finishTime: Date? {
        conditions.first { ($0.type == "Complete" || $0.type == "Failed") && $0.status == "True" }?
            .lastTransitionTime.flatMap(Timestamp.parse)
    }
    public var completionTime: Date? { fields.string("status", "completionTime").flatMap(Timestamp.parse) }
    public var uncountedSucceeded: [String] { fields.strings("status", "uncountedTerminatedPods", "succeeded") }
    public var uncountedFailed: [String] { fields.strings("status", "uncountedTerminatedPods", "failed") }
}

/// One of a Job's `status.conditions`.
public struct JobConditionView: Sendable, Equatable {
    var fields: ObjectFields
    init(fields: ObjectFields) { self.fields = fields }
    public var object: JSON { fields.object }
    public var type: String { fields.string("type") ?? "" }
    public var status: String { fields.string("status") ?? "" }
    public var reason: String { fields.string("reason") ?? "" }
    public var message: String { fields.string("message") ?? "" }
    public var lastTransitionTime: String? { fields.string("lastTransitionTime") }
}
