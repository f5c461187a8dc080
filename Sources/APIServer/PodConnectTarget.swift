import APIMachinery

/// What upstream's pod registry checks on the pod itself before reaching its node for exec, attach
/// or logs (streamLocation, LogLocation and validateContainer in pkg/registry/core/pod/strategy.go).
enum PodConnectTarget {
    /// The container addressed: the named one, which must exist, or the pod's only container.
    static func container(_ requested: String?, in pod: PodView, name: String) throws(APIError) -> String {
        guard let requested else {
            let containers = pod.containers
            switch containers.count {
            case 1: return containers[0].name
            case 0: throw APIError.badRequest("pod \(name) does not have a container")
            default:
                throw APIError.badRequest("a container name must be specified for pod \(name), choose one of: "
                    + "[\(allNames(pod).joined(separator: " "))]")
            }
        }
        guard allNames(pod).contains(requested) else {
            throw APIError.badRequest("container \(requested) is not valid for pod \(name)")
        }
        return requested
    }

    /// Exec and attach need the node the pod is bound to.
    static func requireNode(_ pod: PodView, name: String) throws(APIError) {
        guard pod.isScheduled else { throw APIError.badRequest("pod \(name) does not have a host assigned") }
    }

    /// Init, app and ephemeral containers, in upstream's VisitContainers order.
    private static func allNames(_ pod: PodView) -> [String] {
        var names = pod.initContainers.map(\.name) + pod.containers.map(\.name)
        if case .array(let ephemeral)? = pod.object[path: "spec", "ephemeralContainers"] {
            names += ephemeral.compactMap { $0[path: "name"]?.stringValue }
        }
        return names
    }
}
