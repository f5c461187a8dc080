/// Typed access to the Pod fields the scheduler, the kubelet, the endpoint controllers, the
/// StatefulSet controller and cluster DNS read. Optional members stay optional where callers
/// tell "absent" from "empty" (phase defaults differ between upstream components).
public struct PodView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ pod: JSON) { fields = ObjectFields(pod) }

    /// The pod as stored: the escape hatch for building updates.
    public var object: JSON { fields.object }
    public var meta: ObjectMetaView { ObjectMetaView(fields: fields.child("metadata")) }

    // MARK: spec

    /// The node the pod is bound to; "" while unscheduled.
    public var nodeName: String { fields.string("spec", "nodeName") ?? "" }
    public var isScheduled: Bool { !nodeName.isEmpty }
    public var schedulerName: String? { fields.string("spec", "schedulerName") }
    public var hostname: String { fields.string("spec", "hostname") ?? "" }
    public var subdomain: String? { fields.string("spec", "subdomain") }
    public var hostNetwork: Bool { fields.bool("spec", "hostNetwork") ?? false }
    public var serviceAccountName: String? { fields.string("spec", "serviceAccountName") }
    /// `ClusterFirst` when unset, as the API server defaults it.
    public var dnsPolicy: String { fields.string("spec", "dnsPolicy") ?? "ClusterFirst" }
    public var dnsConfig: PodDNSConfigView? {
        fields.value(["spec", "dnsConfig"]).map { PodDNSConfigView(fields: ObjectFields($0)) }
    }
    /// `spec.hostAliases` as (ip, hostnames) in order.
    public var hostAliases: [(ip: String, hostnames: [String])] {
        fields.list("spec", "hostAliases").map { ($0.string("ip") ?? "", $0.strings("hostnames")) }
    }
    public var preemptionPolicy: String? { fields.string("spec", "preemptionPolicy") }
    public var hasSchedulingGates: Bool { !fields.list("spec", "schedulingGates").isEmpty }
    public var nodeSelector: [String: String] { fields.stringMap("spec", "nodeSelector") }
    /// `spec.tolerations` as stored; the scheduler matches them against taints member by member.
    public var tolerations: [JSON] { fields.list("spec", "tolerations").map(\.object) }
    public var containers: [ContainerView] { fields.list("spec", "containers").map(ContainerView.init(fields:)) }
    public var initContainers: [ContainerView] { fields.list("spec", "initContainers").map(ContainerView.init(fields:)) }
    /// Init containers with `restartPolicy: Always`, which keep running beside the app containers.
    public var sidecarContainers: [ContainerView] { initContainers.filter(\.isSidecar) }
    /// The condition types of `spec.readinessGates`.
    public var readinessGates: [String] { fields.list("spec", "readinessGates").map { $0.string("conditionType") ?? "" } }

    // MARK: status

    /// `status.phase`; nil before anything reported one.
    public var phase: String? { fields.string("status", "phase") }
    /// Succeeded or Failed: the pod's containers will not run again.
    public var isTerminal: Bool { phase == "Succeeded" || phase == "Failed" }
    public var conditions: [PodConditionView] { fields.list("status", "conditions").map(PodConditionView.init(fields:)) }
    public func condition(_ type: String) -> PodConditionView? { conditions.first { $0.type == type } }
    /// IsPodReady: the Ready condition is True.
    public var isReady: Bool { condition("Ready")?.status == "True" }
    public var hostIP: String? { fields.string("status", "hostIP") }
    public var podIP: String? { fields.string("status", "podIP") }
    /// The addresses of `status.podIPs`, in order.
    public var podIPs: [String] { fields.list("status", "podIPs").compactMap { $0.string("ip") } }
    /// The highest restartCount among the containers (the deletion ranking's maxContainerRestarts).
    public var maxContainerRestarts: Int {
        Int(fields.list("status", "containerStatuses").compactMap { $0.int("restartCount") }.max() ?? 0)
    }
}

/// A pod's `spec.dnsConfig`: what is added to (or, with dnsPolicy None, makes up) its resolv.conf.
public struct PodDNSConfigView: Sendable, Equatable {
    var fields: ObjectFields
    public var nameservers: [String] { fields.strings("nameservers") }
    public var searches: [String] { fields.strings("searches") }
    /// Options as (name, value); a value is optional (`ndots:2` vs `edns0`).
    public var options: [(name: String, value: String?)] {
        fields.list("options").map { ($0.string("name") ?? "", $0.string("value")) }
    }
}
