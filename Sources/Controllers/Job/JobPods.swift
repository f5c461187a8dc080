import APIMachinery
import Foundation

/// What the Job controller reads of one of its pods.
struct JobPod {
    let object: JSON
    var name: String { object.meta.name }
    var uid: String { object.meta.uid }
    var view: PodView { PodView(object) }
    var hasTrackingFinalizer: Bool { object.meta.finalizers.contains(JobController.trackingFinalizer) }
    var isDeleting: Bool { object.meta.isBeingDeleted }
    var succeeded: Bool { view.phase == "Succeeded" }
    var isTerminal: Bool { view.isTerminal }
    /// Neither finished nor being deleted.
    var isActive: Bool { !isTerminal && !isDeleting }
    var isTerminating: Bool { isDeleting && !isTerminal }
    /// The completion index of an Indexed Job's pod, from its annotation (upstream's source of truth).
    var index: Int? { object.meta.annotation(JobPods.indexAnnotation).flatMap { Int($0) } }
    /// With backoffLimitPerIndex: the failures (counted and ignored) of this pod's index before it.
    var indexFailureCount: Int { object.meta.annotation(JobPods.indexFailureCountAnnotation).flatMap { Int($0) } ?? 0 }
    var indexIgnoredFailureCount: Int { object.meta.annotation(JobPods.indexIgnoredFailureCountAnnotation).flatMap { Int($0) } ?? 0 }
    var creationTimestamp: String { object.meta.creationTimestamp ?? "" }

    /// isPodFailed: Failed, or (unless only failed pods are replaced) deleted before it succeeded,
    /// which counts pods that never get the chance to reach Failed.
    func isFailed(replacesOnlyFailed: Bool) -> Bool {
        if view.phase == "Failed" { return true }
        if replacesOnlyFailed { return false }
        return isDeleting && !succeeded
    }

    /// getFinishedTime: its containers' latest finishedAt, else when it stopped being Ready, else
    /// its deletion, else `now`.
    func finishTime(now: Date) -> Date {
        let statuses = object[path: "status", "containerStatuses"]?.arrayValue ?? []
        let finished = statuses.compactMap { $0[path: "state", "terminated", "finishedAt"]?.stringValue }.compactMap(Timestamp.parse)
        if let latest = finished.max() { return latest }
        if let ready = view.condition("Ready"), ready.status == "False", let time = ready.lastTransitionTime.flatMap(Timestamp.parse) {
            return time
        }
        if let deleted = object.meta.deletionTimestamp.flatMap(Timestamp.parse) { return deleted }
        return now
    }

    /// Container restarts, which count toward the backoff limit with restartPolicy OnFailure.
    var restarts: Int {
        let all = (object[path: "status", "containerStatuses"]?.arrayValue ?? [])
            + (object[path: "status", "initContainerStatuses"]?.arrayValue ?? [])
        return all.reduce(0) { $0 + Int($1["restartCount"]?.intValue ?? 0) }
    }
}

/// Pods as the Job controller builds them (GetPodFromTemplate plus the Job's additions).
enum JobPods {
    static let indexAnnotation = "batch.kubernetes.io/job-completion-index"
    static let indexLabel = "batch.kubernetes.io/job-completion-index"
    static let indexFailureCountAnnotation = "batch.kubernetes.io/job-index-failure-count"
    static let indexIgnoredFailureCountAnnotation = "batch.kubernetes.io/job-index-ignored-failure-count"

    /// A pod from the Job's template: named `<job>-` (Indexed: `<job>-<index>-`) plus a random
    /// suffix, the Job as its controller, the tracking finalizer; an Indexed pod also gets its
    /// index as annotation, label, hostname (`<job>-<index>`) and `JOB_COMPLETION_INDEX`.
    static func pod(for job: JobView, index: Int?, failures: (counted: Int, ignored: Int) = (0, 0)) -> JSON {
        let template = job.template
        let name = job.meta.name
        var metadata: JSONObject = ["generateName": .string(index.map { "\(name)-\($0)-" } ?? "\(name)-")]
        var labels = template[path: "metadata", "labels"]?.objectValue ?? [:]
        var annotations = template[path: "metadata", "annotations"]?.objectValue ?? [:]
        var spec = template["spec"] ?? [:]
        if let index {
            annotations[indexAnnotation] = .string(String(index))
            if job.backoffLimitPerIndex != nil {
                annotations[indexFailureCountAnnotation] = .string(String(failures.counted))
                if failures.ignored > 0 { annotations[indexIgnoredFailureCountAnnotation] = .string(String(failures.ignored)) }
            }
            labels[indexLabel] = .string(String(index))
            if (spec["hostname"]?.stringValue ?? "").isEmpty { spec["hostname"] = .string("\(name)-\(index)") }
            let env: JSON = ["name": "JOB_COMPLETION_INDEX",
                             "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": .string("metadata.annotations['\(indexAnnotation)']")]]]
            for key in ["initContainers", "containers"] {
                guard var containers = spec[key]?.arrayValue else { continue }
                for i in containers.indices {
                    var list = containers[i]["env"]?.arrayValue ?? []
                    if !list.contains(where: { $0["name"]?.stringValue == "JOB_COMPLETION_INDEX" }) { list.append(env) }
                    containers[i]["env"] = .array(list)
                }
                spec[key] = .array(containers)
            }
        }
        if !labels.isEmpty { metadata["labels"] = .object(labels) }
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
        let finalizers = (template[path: "metadata", "finalizers"]?.arrayValue ?? []) + [.string(JobController.trackingFinalizer)]
        metadata["finalizers"] = .array(finalizers)
        metadata["ownerReferences"] = [OwnerReferenceView(apiVersion: "batch/v1", kind: "Job", name: name, uid: job.meta.uid,
                                                          controller: true, blockOwnerDeletion: true).object]
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": spec]
    }
}

/// Upstream's completed-indexes text: sorted indexes as ranges, `0-2,5`.
enum CompletedIndexes {
    static func parse(_ text: String) -> Set<Int> {
        var set = Set<Int>()
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 1 { set.insert(bounds[0]) } else if bounds.count == 2, bounds[0] <= bounds[1] { set.formUnion(bounds[0]...bounds[1]) }
        }
        return set
    }

    static func format(_ set: Set<Int>) -> String {
        var parts: [String] = []
        var start: Int?, previous = 0
        for i in set.sorted() {
            if let s = start, i == previous + 1 { previous = i; _ = s; continue }
            if let s = start { parts.append(s == previous ? "\(s)" : "\(s)-\(previous)") }
            start = i; previous = i
        }
        if let s = start { parts.append(s == previous ? "\(s)" : "\(s)-\(previous)") }
        return parts.joined(separator: ",")
    }
}
