import APIMachinery
import Foundation

/// Jobs as the CronJob controller makes them (getJobFromTemplate2).
enum CronJobJobs {
    /// `<cronjob>-<scheduled time in minutes since the epoch>`: one name per scheduled time, so a
    /// time is never run twice.
    static func name(_ cronJob: CronJobView, scheduled: Date) -> String {
        "\(cronJob.meta.name)-\(Int64(scheduled.timeIntervalSince1970) / 60)"
    }

    /// The template's labels, annotations and spec, the scheduled-time annotation (RFC 3339 in the
    /// CronJob's zone), the CronJob as controller.
    static func job(_ cronJob: CronJobView, scheduled: Date, zone: TimeZone) -> JSON {
        let template = cronJob.jobTemplate
        var metadata: JSONObject = ["name": .string(name(cronJob, scheduled: scheduled))]
        if let labels = template[path: "metadata", "labels"], labels.objectValue?.isEmpty == false { metadata["labels"] = labels }
        var annotations = template[path: "metadata", "annotations"]?.objectValue ?? [:]
        annotations[CronJobController.scheduledTimestampAnnotation] = .string(rfc3339(scheduled, zone: zone))
        metadata["annotations"] = .object(annotations)
        metadata["ownerReferences"] = [OwnerReferenceView(apiVersion: "batch/v1", kind: "CronJob", name: cronJob.meta.name,
                                                          uid: cronJob.meta.uid, controller: true, blockOwnerDeletion: true).object]
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": .object(metadata), "spec": template["spec"] ?? [:]]
    }

    /// Go's time.RFC3339 in a zone: `2024-01-01T09:00:00+01:00`, `Z` for UTC.
    static func rfc3339(_ date: Date, zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssXXXXX"
        return formatter.string(from: date)
    }
}
