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
        let phase = pod[path: "status", "phase"]?.stringValue ?? ""
        return phase != "Failed" && phase != "Succeeded"
    }

    /// IsPodReady: the Ready condition is True.
    static func isReady(_ pod: JSON) -> Bool {
        readyCondition(pod)?["status"]?.stringValue == "True"
    }

    static func readyCondition(_ pod: JSON) -> JSON? {
        (pod[path: "status", "conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
    }

    /// The pod's IPv4 address (`status.podIPs`, else `status.podIP`); nil while it has none.
    static func address(_ pod: JSON) -> String? {
        var candidates = (pod[path: "status", "podIPs"]?.arrayValue ?? []).compactMap { $0["ip"]?.stringValue }
        if let ip = pod[path: "status", "podIP"]?.stringValue { candidates.append(ip) }
        return candidates.first { !$0.isEmpty && NameValidation.isValidIPv4($0) }
    }

    /// FindPort: a numeric targetPort as it is; a named one is the container port of that name and
    /// the Service port's protocol (regular containers, then restartable init containers); nil
    /// when the pod has no such port, and the Service port is then left out for this pod.
    static func findPort(_ pod: JSON, servicePort: JSON) -> Int64? {
        let proto = servicePort["protocol"]?.stringValue ?? "TCP"
        switch servicePort["targetPort"] ?? servicePort["port"] {
        case .int(let n)?: return n
        case .string(let name)?:
            if let n = Int64(name) { return n }
            let sidecars = (pod[path: "spec", "initContainers"]?.arrayValue ?? []).filter { $0["restartPolicy"]?.stringValue == "Always" }
            for container in (pod[path: "spec", "containers"]?.arrayValue ?? []) + sidecars {
                for port in container["ports"]?.arrayValue ?? [] where port["name"]?.stringValue == name
                    && (port["protocol"]?.stringValue ?? "TCP") == proto {
                    return port["containerPort"]?.intValue
                }
            }
            return nil
        default:
            return nil
        }
    }

    /// ShouldSetHostname: the pod names a hostname and this Service as its subdomain.
    static func shouldSetHostname(_ pod: JSON, service: JSON) -> Bool {
        let hostname = pod[path: "spec", "hostname"]?.stringValue ?? ""
        return !hostname.isEmpty
            && pod[path: "spec", "subdomain"]?.stringValue == service[path: "metadata", "name"]?.stringValue
            && pod[path: "metadata", "namespace"] == service[path: "metadata", "namespace"]
    }

    /// The pod as an endpoint's `targetRef`.
    static func targetRef(_ pod: JSON) -> JSON {
        ["kind": "Pod", "namespace": pod[path: "metadata", "namespace"] ?? "", "name": pod[path: "metadata", "name"] ?? "",
         "uid": pod[path: "metadata", "uid"] ?? ""]
    }
}

/// Services as the endpoint controllers see them.
enum ServiceRules {
    static func selector(_ service: JSON) -> [String: String]? {
        guard let object = service[path: "spec", "selector"]?.objectValue else { return nil }
        var selector: [String: String] = [:]
        for (k, v) in object { selector[k] = v.stringValue ?? "" }
        return selector
    }

    /// `labels.Set(selector).AsSelector()`: every pair present; an empty selector selects everything.
    static func selects(_ selector: [String: String], _ pod: JSON) -> Bool {
        let labels = pod[path: "metadata", "labels"]?.objectValue ?? [:]
        return selector.allSatisfy { labels[$0.key]?.stringValue == $0.value }
    }

    /// IsServiceIPSet: neither headless nor without an address.
    static func hasClusterIP(_ service: JSON) -> Bool {
        let ip = service[path: "spec", "clusterIP"]?.stringValue ?? ""
        return !ip.isEmpty && ip != "None"
    }

    static func isHeadless(_ service: JSON) -> Bool { service[path: "spec", "clusterIP"]?.stringValue == "None" }

    static func labels(_ object: JSON) -> [String: String] {
        var labels: [String: String] = [:]
        for (k, v) in object[path: "metadata", "labels"]?.objectValue ?? [:] { labels[k] = v.stringValue ?? "" }
        return labels
    }

    static let headlessLabel = "service.kubernetes.io/headless"
    static let triggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time"
}
