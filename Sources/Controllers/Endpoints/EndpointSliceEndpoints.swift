import APIMachinery
import ControllerRuntime

/// What a Service wants in its EndpointSlices (k8s.io/endpointslice: getEndpointPorts and
/// podToEndpoint), and the labels every managed slice carries (setEndpointSliceLabels).
enum EndpointSliceLabels {
    static let serviceName = EndpointSliceView.serviceNameLabel
    static let managedBy = EndpointSliceView.managedByLabel
    static let controllerName = "endpointslice-controller.k8s.io"
    static let zone = "topology.kubernetes.io/zone"
    static let maxEndpointsPerSlice = 100

    /// The Service's labels without the reserved ones, then the headless marker and the reserved
    /// service-name and managed-by labels.
    static func labels(for service: JSON) -> JSONObject {
        var labels = service.meta.orderedLabels
        for reserved in [serviceName, managedBy, ServiceRules.headlessLabel] { labels[reserved] = nil }
        if !ServiceRules.hasClusterIP(service) { labels[ServiceRules.headlessLabel] = "" }
        labels[serviceName] = .string(service.meta.name)
        labels[managedBy] = .string(controllerName)
        return labels
    }

    /// The Service's ports as resolved on one pod, in Service order; ports the pod cannot serve
    /// are left out. A headless Service without ports gets none.
    static func ports(service: JSON, pod: JSON) -> [JSON] {
        ServiceView(service).ports.compactMap { servicePort -> JSON? in
            guard let number = PodEndpointRules.findPort(pod, servicePort: servicePort) else { return nil }
            var port: JSONObject = ["name": .string(servicePort.name ?? ""), "protocol": .string(servicePort.protocol), "port": .int(number)]
            if let app = servicePort.appProtocol { port["appProtocol"] = .string(app) }
            return .object(port)
        }
    }

    /// podToEndpoint: ready unless terminating (or always with publishNotReadyAddresses), serving
    /// when the pod is ready, terminating when it is being deleted.
    static func endpoint(pod: JSON, node: JSON?, service: JSON) -> JSON? {
        guard let ip = PodEndpointRules.address(pod) else { return nil }
        let serving = PodEndpointRules.isReady(pod)
        let terminating = pod.meta.isBeingDeleted
        let ready = ServiceView(service).publishNotReadyAddresses || (serving && !terminating)
        var endpoint: JSONObject = [
            "addresses": [.string(ip)],
            "conditions": ["ready": .bool(ready), "serving": .bool(serving), "terminating": .bool(terminating)],
        ]
        let view = PodView(pod)
        if PodEndpointRules.shouldSetHostname(pod, service: service) { endpoint["hostname"] = .string(view.hostname) }
        endpoint["targetRef"] = PodEndpointRules.targetRef(pod)
        if view.isScheduled { endpoint["nodeName"] = .string(view.nodeName) }
        if let zone = node?.meta.label(zone), !zone.isEmpty { endpoint["zone"] = .string(zone) }
        return .object(endpoint)
    }

    /// What identifies an endpoint across syncs (upstream's endpoint hash): its addresses, hostname
    /// and pod.
    static func identity(_ endpoint: JSON) -> String {
        let addresses = (endpoint["addresses"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
        return [addresses, endpoint["hostname"]?.stringValue ?? "",
                endpoint[path: "targetRef", "namespace"]?.stringValue ?? "", endpoint[path: "targetRef", "name"]?.stringValue ?? ""]
            .joined(separator: "|")
    }
}
