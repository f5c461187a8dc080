import APIMachinery
import ControllerRuntime

/// What upstream's endpoint controllers ask of a pod and its Service (pkg/api/v1/pod,
/// k8s.io/endpointslice/util): whether it is listed, whether it is ready, which port a Service
/// port reaches on it, and whether it gets a hostname.
enum PodEndpointRules {
    /// ShouldPodBeInEndpoints: a pod with an address that has not finished (Failed and Succeeded pods
    /// are left out whatever their restartPolicy, as since 1.27); a terminating pod only when
    /// `includeTerminating`.
    static func shouldBeInEndpoints(_ pod: JSON, includeTerminating: Bool) -> Bool {
        guard address(pod) != nil else { return false }
        if !includeTerminating && pod.meta.isBeingDeleted { return false }
        return !PodView(pod).isTerminal
    }

    /// IsPodReady: the Ready condition is True.
    static func isReady(_ pod: JSON) -> Bool { PodView(pod).isReady }

    /// The pod's IPv4 address (`status.podIPs`, else `status.podIP`); nil while it has none.
    static func address(_ pod: JSON) -> String? {
        let view = PodView(pod)
        let candidates = view.podIPs + (view.podIP.map { [$0] } ?? [])
        return candidates.first { !$0.isEmpty && NameValidation.isValidIPv4($0) }
    }

    /// FindPort: a numeric targetPort as it is; a named one is the container port of that name and
    /// the Service port's protocol (regular containers, then restartable init containers); nil
    /// when the pod has no such port, and the Service port is then left out for this pod.
    static func findPort(_ pod: JSON, servicePort: ServicePortView) -> Int64? {
        switch servicePort.target {
        case .number(let n)?: return n
        case .name(let name)?:
            let view = PodView(pod)
            for container in view.containers + view.sidecarContainers {
                if let port = container.port(named: name, protocol: servicePort.protocol) { return port }
            }
            return nil
        case nil:
            return nil
        }
    }

    /// ShouldSetHostname: the pod names a hostname and this Service as its subdomain.
    static func shouldSetHostname(_ pod: JSON, service: JSON) -> Bool {
        let view = PodView(pod)
        return !view.hostname.isEmpty && view.subdomain == service.meta.name && pod.meta.namespace == service.meta.namespace
    }

    /// The pod as an endpoint's `targetRef`.
    static func targetRef(_ pod: JSON) -> JSON {
        ["kind": "Pod", "namespace": .string(pod.meta.namespace), "name": .string(pod.meta.name), "uid": .string(pod.meta.uid)]
    }
}

/// Services as the endpoint controllers see them.
enum ServiceRules {
    static func selector(_ service: JSON) -> [String: String]? { ServiceView(service).selector }

    /// `labels.Set(selector).AsSelector()`: every pair present; an empty selector selects everything.
    static func selects(_ selector: [String: String], _ pod: JSON) -> Bool {
        let labels = pod.meta.labels
        return selector.allSatisfy { labels[$0.key] == $0.value }
    }

    /// IsServiceIPSet: neither headless nor without an address.
    static func hasClusterIP(_ service: JSON) -> Bool { ServiceView(service).hasClusterIP }

    static func isHeadless(_ service: JSON) -> Bool { ServiceView(service).isHeadless }

    static let headlessLabel = "service.kubernetes.io/headless"
    static let triggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time"
}
