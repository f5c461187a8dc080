import APIMachinery
import ControllerRuntime
import Foundation

/// How names under `pod.<zone>` are answered: CoreDNS's `pods` option. `insecure` (kubeadm's
/// default) answers any well-formed dashed IP in an existing namespace; `verified` only the IP of a
/// pod in that namespace; `disabled` none.
public enum ClusterDNSPodMode: String, Sendable { case disabled, insecure, verified }

/// One candidate answer, CoreDNS's `msg.Service`: where it lives, what it points to, and a port.
struct ClusterDNSEntry: Equatable {
    /// `<svc>.<ns>.svc.<zone>`, or `<endpoint>.<svc>.<ns>.svc.<zone>` for a headless endpoint: the
    /// target of an SRV record and the owner of its address record.
    var owner: DNSName
    /// An IP address, or a domain name for an ExternalName Service.
    var host: String
    /// -1 when the Service or Endpoints declare no port (CoreDNS's sentinel): no SRV record.
    var port: Int

    var address: [UInt8]? { IPAddressText.parse(host) }
}

/// The name does not exist: CoreDNS's errNoItems, errNsNotExposed and errInvalidRequest, all
/// answered NXDOMAIN.
struct ClusterDNSNameError: Error {}

/// The cluster's records, read from informer caches at query time, so answers follow Services,
/// Endpoints and pods as they change. Mirrors `findServices`, `findPods` and `serviceRecordForIP`
/// of CoreDNS's kubernetes plugin, reading Endpoints (ready `addresses` only) rather than
/// EndpointSlices.
final class ClusterDNSRecords: Sendable {
    let services: Informer
    let endpoints: Informer
    let namespaces: Informer
    let pods: Informer?
    let podMode: ClusterDNSPodMode
    /// The cluster domain, the zone PTR answers name.
    let domain: DNSName

    init(context: ControllerContext, domain: DNSName, podMode: ClusterDNSPodMode) {
        services = context.informer(GroupResource(group: "", resource: "services"))
        endpoints = context.informer(GroupResource(group: "", resource: "endpoints"))
        namespaces = context.informer(GroupResource(group: "", resource: "namespaces"))
        pods = podMode == .verified ? context.informer(GroupResource(group: "", resource: "pods")) : nil
        self.podMode = podMode
        self.domain = domain
    }

    var informers: [Informer] { [services, endpoints, namespaces] + (pods.map { [$0] } ?? []) }

    func namespaceExists(_ name: String) -> Bool { namespaces.get(namespace: "", name: name) != nil }

    /// CoreDNS's `Records`: the entries for a forward name under `zone`.
    func records(_ name: DNSName, zone: DNSName) throws(ClusterDNSNameError) -> [ClusterDNSEntry] {
        guard let labels = name.relativeLabels(to: zone), let r = ClusterDNSRequest.parse(labels) else {
            throw ClusterDNSNameError()
        }
        guard let kind = r.kind else { return [] }
        if IPAddressText.isReverse(name) || !namespaceExists(r.namespace) { throw ClusterDNSNameError() }
        switch kind {
        case .pod: return try findPods(r, zone: zone)
        case .service: return try findServices(r, zone: zone)
        }
    }

    private func findPods(_ r: ClusterDNSRequest, zone: DNSName) throws(ClusterDNSNameError) -> [ClusterDNSEntry] {
        if podMode == .disabled { throw ClusterDNSNameError() }
        if r.service.isEmpty { return [] }
        let dashes = r.service.filter { $0 == "-" }.count
        let ip = dashes == 3 && !r.service.contains("--")
            ? r.service.replacingOccurrences(of: "-", with: ".")
            : r.service.replacingOccurrences(of: "-", with: ":")
        guard let address = IPAddressText.parse(ip) else { throw ClusterDNSNameError() }
        let owner = zone.prepending([r.service, r.namespace, "pod"])
        if podMode == .insecure { return [ClusterDNSEntry(owner: owner, host: ip, port: -1)] }
        let found = (pods?.list(namespace: r.namespace) ?? []).contains { pod in
            Self.podIPs(pod).contains { IPAddressText.parse($0) == address }
        }
        guard found else { throw ClusterDNSNameError() }
        return [ClusterDNSEntry(owner: owner, host: ip, port: -1)]
    }

    private func findServices(_ r: ClusterDNSRequest, zone: DNSName) throws(ClusterDNSNameError) -> [ClusterDNSEntry] {
        if r.service.isEmpty { return [] }
        guard let service = services.get(namespace: r.namespace, name: r.service) else { throw ClusterDNSNameError() }
        let spec = service["spec"] ?? .null
        let owner = zone.prepending([r.service, r.namespace, "svc"])
        var found = false
        var entries: [ClusterDNSEntry] = []

        if spec["type"]?.stringValue == "ExternalName" {
            // An ExternalName Service has no endpoints: an endpoint query cannot match it.
            let target = spec["externalName"]?.stringValue ?? ""
            guard r.endpoint.isEmpty, !target.isEmpty, IPAddressText.parse(target) == nil else { throw ClusterDNSNameError() }
            return [ClusterDNSEntry(owner: owner, host: target, port: -1)]
        }

        let clusterIPs = Self.clusterIPs(spec)
        if clusterIPs.first == "None" || !r.endpoint.isEmpty {
            let subsets = endpoints.get(namespace: r.namespace, name: r.service)?["subsets"]?.arrayValue ?? []
            for subset in subsets {
                let ports = Self.ports(subset["ports"])
                for address in subset["addresses"]?.arrayValue ?? [] {
                    let ip = address["ip"]?.stringValue ?? ""
                    let hostname = Self.endpointHostname(address)
                    if !r.endpoint.isEmpty && r.endpoint != hostname.lowercased() { continue }
                    for port in ports where r.matches(portName: port.name, protocol: port.protocol) {
                        found = true
                        entries.append(ClusterDNSEntry(owner: owner.prepending([hostname]), host: ip, port: port.number))
                    }
                }
            }
        } else {
            for port in Self.ports(spec["ports"]) where r.matches(portName: port.name, protocol: port.protocol) {
                found = true
                for ip in clusterIPs { entries.append(ClusterDNSEntry(owner: owner, host: ip, port: port.number)) }
            }
        }
        guard found else { throw ClusterDNSNameError() }
        return entries
    }

    /// CoreDNS's `serviceRecordForIP`: the Service whose cluster (or external) IP this is, else
    /// every endpoint with this IP as `<endpoint>.<svc>.<ns>.svc.<domain>`.
    func reverse(_ address: [UInt8]) -> [DNSName] {
        for service in services.list() {
            let spec = service["spec"] ?? .null
            let ips = Self.clusterIPs(spec) + (spec["externalIPs"]?.arrayValue ?? []).compactMap(\.stringValue)
            if ips.contains(where: { IPAddressText.parse($0) == address }) {
                return [domain.prepending([Self.name(service), Self.namespace(service), "svc"])]
            }
        }
        var names: [DNSName] = []
        for ep in endpoints.list() {
            for subset in ep["subsets"]?.arrayValue ?? [] {
                for a in subset["addresses"]?.arrayValue ?? [] where IPAddressText.parse(a["ip"]?.stringValue ?? "") == address {
                    names.append(domain.prepending([Self.endpointHostname(a), Self.name(ep), Self.namespace(ep), "svc"]))
                }
            }
        }
        return names
    }

    // MARK: Object fields

    struct Port { var name: String; var number: Int; var `protocol`: String }

    /// Declared ports, or CoreDNS's sentinel port -1 when there are none.
    static func ports(_ json: JSON?) -> [Port] {
        let ports = (json?.arrayValue ?? []).map {
            Port(name: $0["name"]?.stringValue ?? "", number: Int($0["port"]?.intValue ?? -1),
                 protocol: $0["protocol"]?.stringValue ?? "TCP")
        }
        return ports.isEmpty ? [Port(name: "", number: -1, protocol: "")] : ports
    }

    static func clusterIPs(_ spec: JSON) -> [String] {
        let ips = (spec["clusterIPs"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !ips.isEmpty { return ips }
        return spec["clusterIP"]?.stringValue.map { $0.isEmpty ? [] : [$0] } ?? []
    }

    /// The endpoint's DNS label: its hostname, else its IP with dashes (CoreDNS's `endpointHostname`).
    static func endpointHostname(_ address: JSON) -> String {
        if let hostname = address["hostname"]?.stringValue, !hostname.isEmpty { return hostname }
        let ip = address["ip"]?.stringValue ?? ""
        return ip.replacingOccurrences(of: ip.contains(".") ? "." : ":", with: "-")
    }

    static func podIPs(_ pod: JSON) -> [String] {
        let view = PodView(pod)
        return view.podIPs.isEmpty ? [view.podIP].compactMap { $0 } : view.podIPs
    }

    static func name(_ object: JSON) -> String { object.meta.name }
    static func namespace(_ object: JSON) -> String { object.meta.namespace }
}
