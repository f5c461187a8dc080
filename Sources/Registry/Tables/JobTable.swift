import APIMachinery
import Foundation

/// `kubectl get jobs` columns, as upstream's printJob (1.32: the Status column).
public enum JobTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Status", description: "Status of the job."),
        TableColumn(name: "Completions", description: "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs."),
        TableColumn(name: "Duration", description: "Time required to complete the job."),
        .age,
        TableColumn(name: "Containers", description: "Names of each container in the template.", priority: 1),
        TableColumn(name: "Images", description: "Images referenced by each container in the template.", priority: 1),
        TableColumn(name: "Selector", description: "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", priority: 1),
    ]

    public static func cells(_ job: JSON, now: Date) -> [JSON] {
        let containers = PrinterFormat.containerCells(job[path: "spec", "template", "spec", "containers"])
        return [
            PrinterFormat.name(job), .string(status(job)), .string(completions(job)), .string(duration(job, now: now)),
            PrinterFormat.age(job, now: now),
            .string(containers.names), .string(containers.images),
            .string(PrinterFormat.selector(job[path: "spec", "selector"])),
        ]
    }

    /// `succeeded/completions`; without completions `succeeded/1`, or `succeeded/1 of parallelism`.
    static func completions(_ job: JSON) -> String {
        let succeeded = PrinterFormat.int(job[path: "status", "succeeded"])
        if let completions = job[path: "spec", "completions"]?.intValue { return "\(succeeded)/\(completions)" }
        let parallelism = PrinterFormat.int(job[path: "spec", "parallelism"])
        return parallelism > 1 ? "\(succeeded)/1 of \(parallelism)" : "\(succeeded)/1"
    }

    /// Start to completion, or start to now while running; empty before the Job started.
    static func duration(_ job: JSON, now: Date) -> String {
        guard let start = PrinterFormat.date(job[path: "status", "startTime"]) else { return "" }
        let end = PrinterFormat.date(job[path: "status", "completionTime"]) ?? now
        return Timestamp.humanDuration(end.timeIntervalSince(start))
    }

    /// The first true of Complete, Failed, being deleted, Suspended, FailureTarget,
    /// SuccessCriteriaMet; Running otherwise.
    static func status(_ job: JSON) -> String {
        func has(_ type: String) -> Bool {
            PrinterFormat.condition(job[path: "status", "conditions"], type)?["status"]?.stringValue == "True"
        }
        if has("Complete") { return "Complete" }
        if has("Failed") { return "Failed" }
        if PrinterFormat.isDeleting(job) { return "Terminating" }
        if has("Suspended") { return "Suspended" }
        if has("FailureTarget") { return "FailureTarget" }
        if has("SuccessCriteriaMet") { return "SuccessCriteriaMet" }
        return "Running"
    }
}
