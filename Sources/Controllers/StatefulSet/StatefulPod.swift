import APIMachinery
import ControllerRuntime
import Foundation

/// What the StatefulSet controller reads from a Pod (stateful_set_utils.go): its parent and ordinal
/// from its name, its revision label, and its lifecycle state.
enum StatefulPod {
    static let podNameLabel = "statefulset.kubernetes.io/pod-name"
    static let podIndexLabel = "apps.kubernetes.io/pod-index"
    static let revisionLabel = "controller-revision-hash"

    /// The parent name and ordinal of `<parent>-<ordinal>` (the regex `(.*)-([0-9]+)$`); ordinal -1
    /// when the name has no numeric suffix or it does not fit an int32.
    static func parentAndOrdinal(_ name: String) -> (parent: String, ordinal: Int) {
        guard let dash = name.lastIndex(of: "-") else { return ("", -1) }
        let digits = name[name.index(after: dash)...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return ("", -1) }
        let parent = String(name[..<dash])
        guard let value = Int32(digits) else { return (parent, -1) }
        return (parent, Int(value))
    }

    static func ordinal(_ pod: JSON) -> Int { parentAndOrdinal(pod.meta.name).ordinal }

    /// isMemberOf: the pod's name says it belongs to `set`.
    static func isMember(_ pod: JSON, of set: StatefulSetObject) -> Bool {
        parentAndOrdinal(pod.meta.name).parent == set.name
    }

    static func revision(_ pod: JSON) -> String { pod.meta.label(revisionLabel) ?? "" }

    static func phase(_ pod: JSON) -> String { PodView(pod).phase ?? "" }
    /// A pod the controller has only built, not yet seen from the API server, has no phase.
    static func isCreated(_ pod: JSON) -> Bool { !phase(pod).isEmpty }
    static func isPending(_ pod: JSON) -> Bool { phase(pod) == "Pending" }
    static func isFailed(_ pod: JSON) -> Bool { phase(pod) == "Failed" }
    static func isSucceeded(_ pod: JSON) -> Bool { phase(pod) == "Succeeded" }
    static func isTerminating(_ pod: JSON) -> Bool { pod.meta.isBeingDeleted }

    /// podutil.IsPodReady: the Ready condition is True.
    static func isReady(_ pod: JSON) -> Bool { PodView(pod).isReady }

    static func isRunningAndReady(_ pod: JSON) -> Bool { phase(pod) == "Running" && isReady(pod) }

    /// podutil.IsPodAvailable: ready, and for minReadySeconds since the Ready transition.
    static func isAvailable(_ pod: JSON, minReadySeconds: Int, now: Date) -> Bool {
        guard isReady(pod) else { return false }
        if minReadySeconds == 0 { return true }
        guard let text = PodView(pod).condition("Ready")?.lastTransitionTime, let since = Timestamp.parse(text) else {
            return false
        }
        return since.addingTimeInterval(TimeInterval(minReadySeconds)) < now
    }

    static func isHealthy(_ pod: JSON) -> Bool { isRunningAndReady(pod) && !isTerminating(pod) }

    /// isUnavailable: not healthy, or ready for less than minReadySeconds.
    static func isUnavailable(_ pod: JSON, minReadySeconds: Int, now: Date) -> Bool {
        !isHealthy(pod) || !isAvailable(pod, minReadySeconds: minReadySeconds, now: now)
    }

    /// When a ready pod becomes available, for requeueing: nil if it is not ready or already available.
    static func availableAt(_ pod: JSON, minReadySeconds: Int) -> Date? {
        guard minReadySeconds > 0, isReady(pod),
              let text = PodView(pod).condition("Ready")?.lastTransitionTime, let since = Timestamp.parse(text) else { return nil }
        return since.addingTimeInterval(TimeInterval(minReadySeconds))
    }
}
