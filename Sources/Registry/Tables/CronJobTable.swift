import APIMachinery
import Foundation

/// `kubectl get cronjobs` columns, as upstream's printCronJob.
public enum CronJobTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Schedule", description: "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        TableColumn(name: "Timezone", description: "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones"),
        TableColumn(name: "Suspend", type: "boolean", description: "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false."),
        TableColumn(name: "Active", type: "integer", description: "A list of pointers to currently running jobs."),
        TableColumn(name: "Last Schedule", description: "Information when was the last time the job was successfully scheduled."),
        .age,
        TableColumn(name: "Containers", description: "Names of each container in the template.", priority: 1),
        TableColumn(name: "Images", description: "Images referenced by each container in the template.", priority: 1),
        TableColumn(name: "Selector", description: "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", priority: 1),
    ]

    public static func cells(_ cronJob: JSON, now: Date) -> [JSON] {
        let jobSpec = cronJob[path: "spec", "jobTemplate", "spec"]
        let containers = PrinterFormat.containerCells(jobSpec?[path: "template", "spec", "containers"])
        let lastSchedule = cronJob[path: "status", "lastScheduleTime"].map { PrinterFormat.since($0, now: now) } ?? "<none>"
        let suspend = cronJob[path: "spec", "suspend"]?.boolValue.map { $0 ? "True" : "False" } ?? "<unset>"
        let selector = jobSpec?["selector"].flatMap { $0 == .null ? nil : PrinterFormat.selector($0) } ?? "<none>"
        return [
            PrinterFormat.name(cronJob),
            .string(PrinterFormat.string(cronJob[path: "spec", "schedule"])),
            .string(cronJob[path: "spec", "timeZone"]?.stringValue ?? "<none>"),
            .string(suspend),
            .int(Int64(PrinterFormat.array(cronJob[path: "status", "active"]).count)),
            .string(lastSchedule), PrinterFormat.age(cronJob, now: now),
            .string(containers.names), .string(containers.images), .string(selector),
        ]
    }
}
