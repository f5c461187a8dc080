import APIMachinery
import Foundation

/// CronJobs (pkg/registry/batch/cronjob/strategy.go, batch/v1 SetDefaults_CronJob,
/// ValidateCronJobCreate / ValidateCronJobUpdate).
public struct CronJobStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.cronJobs }
    public var tracksGeneration: Bool { true }

    /// SetDefaults_CronJob: concurrent runs allowed, not suspended, three successful and one failed
    /// Job kept; the job template's pod template gets the pod template defaults.
    public func applyDefaults(_ object: inout JSON) {
        object.modifyPath("spec") { spec in
            spec.setDefaultString("concurrencyPolicy", "Allow")
            spec.setDefault("suspend", false)
            spec.setDefault("successfulJobsHistoryLimit", 3)
            spec.setDefault("failedJobsHistoryLimit", 1)
            spec.modifyPath("jobTemplate") { jobTemplate in
                jobTemplate.modifyPath("metadata") { $0.setDefault("creationTimestamp", .null) }
                jobTemplate.modifyPath("spec", "template") { PodTemplateDefaults.apply(&$0) }
            }
        }
    }

    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = [:]
    }

    public func validate(_ object: JSON) -> [FieldError] {
        Self.validateSpec(object["spec"] ?? [:], old: nil, FieldPath("spec")) + Self.validateName(object)
    }

    /// As create, except that a schedule that already named a time zone may keep doing so, the
    /// time zone is checked only when it changes, and an old long name stays updatable.
    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        Self.validateSpec(object["spec"] ?? [:], old: old["spec"] ?? [:], FieldPath("spec"))
    }

    /// Job names add 11 characters (`-` and the scheduled minute) to a CronJob's, and must stay
    /// DNS-1035 labels of at most 63.
    static func validateName(_ object: JSON) -> [FieldError] {
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        guard name.utf8.count > 52 else { return [] }
        return [.invalid(FieldPath("metadata.name"), name, "must be no more than 52 characters")]
    }

    /// ValidateCronJobSpec.
    static func validateSpec(_ spec: JSON, old: JSON?, _ path: FieldPath) -> [FieldError] {
        let allowTZInSchedule = CronSchedule.mentionsTimeZone(old?["schedule"]?.stringValue ?? "")
        var errs: [FieldError] = []
        let schedule = spec["schedule"]?.stringValue ?? ""
        if schedule.isEmpty {
            errs.append(.required(path.child("schedule"), ""))
        } else {
            errs += validateSchedule(schedule, timeZoneSet: !spec.isUnset("timeZone"), allowTZInSchedule: allowTZInSchedule, path.child("schedule"))
        }
        if !spec.isUnset("startingDeadlineSeconds") {
            errs += FieldValidation.nonnegative(spec["startingDeadlineSeconds"], path.child("startingDeadlineSeconds"))
        }
        if old == nil || !SemanticEquality.equal(old?["timeZone"], spec["timeZone"]) {
            errs += validateTimeZone(spec["timeZone"], path.child("timeZone"))
        }
        errs += FieldValidation.enumValue(spec["concurrencyPolicy"], ["Allow", "Forbid", "Replace"], path.child("concurrencyPolicy"))
        errs += validateJobTemplate(spec["jobTemplate"] ?? [:], path.child("jobTemplate"))
        for key in ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"] where !spec.isUnset(key) {
            errs += FieldValidation.nonnegative(spec[key], path.child(key))
        }
        return errs
    }

    /// validateScheduleFormat: robfig's parse error, and no TZ in the text of a new schedule.
    static func validateSchedule(_ schedule: String, timeZoneSet: Bool, allowTZInSchedule: Bool, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        do { _ = try CronSchedule(parsing: schedule) } catch { errs.append(.invalid(path, schedule, error.description)) }
        if CronSchedule.mentionsTimeZone(schedule) {
            if allowTZInSchedule, timeZoneSet {
                errs.append(.invalid(path, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"))
            } else if !allowTZInSchedule {
                errs.append(.invalid(path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
            }
        }
        return errs
    }

    static let timeZonePart = try! NSRegularExpression(pattern: "^[A-Za-z\\.\\-_0-9+]{1,14}$")

    /// validateTimeZone: a tz database name; "" and Local are refused.
    static func validateTimeZone(_ value: JSON?, _ path: FieldPath) -> [FieldError] {
        guard let value, value != .null else { return [] }
        let zone = value.stringValue ?? ""
        if zone.isEmpty { return [.invalid(path, value, "timeZone must be nil or non-empty string")] }
        for part in zone.split(separator: "/", omittingEmptySubsequences: false).map(String.init) {
            let range = NSRange(part.startIndex..., in: part)
            if part == "." || part == ".." || part.hasPrefix("-") || timeZonePart.firstMatch(in: part, range: range) == nil {
                return [.invalid(path, value, "unknown time zone \(zone)")]
            }
        }
        if zone.lowercased() == "local" {
            return [.invalid(path, value, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones")]
        }
        if CronSchedule.zone(named: zone) == nil { return [.invalid(path, value, "unknown time zone \(zone)")] }
        return []
    }

    /// ValidateJobTemplateSpec: the Job spec checks; the selector is always generated.
    static func validateJobTemplate(_ template: JSON, _ path: FieldPath) -> [FieldError] {
        let spec = template["spec"] ?? [:]
        let specPath = path.child("spec")
        var errs = JobValidation.validateTemplateSpec(spec, specPath)
        if !spec.isUnset("selector") {
            errs.append(.invalid(specPath.child("selector"), spec["selector"], "`selector` will be auto-generated"))
        }
        if spec["manualSelector"]?.boolValue == true {
            errs.append(.notSupported(specPath.child("manualSelector"), spec["manualSelector"], ["nil", "false"]))
        }
        return errs
    }
}
