import APIMachinery
import ControllerRuntime
import Foundation
import Synchronization

/// upstream's TriggerTimeTracker: the `endpoints.kubernetes.io/last-change-trigger-time` of an
/// Endpoints or EndpointSlice write is the earliest trigger that changed since the previous sync
/// of the Service (a pod's Ready transition, the Service's creation); a Service seen for the first
/// time reports its creation time. Returns nil when nothing changed (the annotation is then cleared).
final class EndpointTriggerTimeTracker: Sendable {
    private struct State { var pods: [String: Date] = [:]; var service: Date? }
    private let states = Mutex<[String: State]>([:])

    func compute(service: JSON, pods: [JSON]) -> Date? {
        let key = "\(service.meta.namespace)/\(service.meta.name)"
        let created = service.meta.creationTimestamp.flatMap(Timestamp.parse)
        return states.withLock { all in
            let known = all[key]
            var state = known ?? State()
            var earliest: Date?
            var podTimes: [String: Date] = [:]
            for pod in pods {
                guard let text = PodView(pod).condition("Ready")?.lastTransitionTime,
                      let time = Timestamp.parse(text) else { continue }
                let name = pod.meta.name
                podTimes[name] = time
                if state.pods[name].map({ time > $0 }) ?? true { earliest = min(earliest ?? time, time) }
            }
            if let created, state.service.map({ created > $0 }) ?? true { earliest = min(earliest ?? created, created) }
            state.pods = podTimes
            state.service = created
            all[key] = state
            return known == nil ? created : earliest
        }
    }

    func forget(namespace: String, name: String) {
        _ = states.withLock { $0.removeValue(forKey: "\(namespace)/\(name)") }
    }
}
