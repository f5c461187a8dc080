import APIMachinery
import ControllerRuntime

/// The `subsets` of a Service's Endpoints, built as upstream's endpoints controller builds them:
/// one address per listed pod (ready ones in `addresses`, others in `notReadyAddresses`, or all
/// ready with `publishNotReadyAddresses`), each Service port resolved on each pod, then repacked
/// so addresses offering the same ports share one subset (RepackSubsets), and sorted.
struct EndpointSubsets {
    struct Address {
        var ip: String
        var uid: String
        var json: JSON
    }

    /// A port with the addresses offering it and whether each is ready there.
    private var portAddresses: [(port: JSON, addresses: [String: Bool])] = []
    private var addresses: [String: Address] = [:]

    static func build(service: JSON, pods: [JSON]) -> [JSON] {
        let view = ServiceView(service)
        let publishNotReady = view.publishNotReadyAddresses
        let servicePorts = view.ports
        var subsets = EndpointSubsets()
        for pod in pods where PodEndpointRules.shouldBeInEndpoints(pod, includeTerminating: publishNotReady) {
            guard let address = address(pod, service: service) else { continue }
            let ready = publishNotReady || PodEndpointRules.isReady(pod)
            if servicePorts.isEmpty {
                // Headless Services may have no ports: their addresses are listed without any.
                if ServiceRules.isHeadless(service) { subsets.add(address, port: nil, ready: ready) }
                continue
            }
            for servicePort in servicePorts {
                guard let number = PodEndpointRules.findPort(pod, servicePort: servicePort) else { continue }
                var port: JSONObject = [:]
                if let name = servicePort.name, !name.isEmpty { port["name"] = .string(name) }
                port["port"] = .int(number)
                port["protocol"] = .string(servicePort.protocol)
                if let app = servicePort.appProtocol { port["appProtocol"] = .string(app) }
                subsets.add(address, port: .object(port), ready: ready)
            }
        }
        return subsets.repacked()
    }

    /// podToEndpointAddressForService plus the hostname rule.
    static func address(_ pod: JSON, service: JSON) -> Address? {
        guard let ip = PodEndpointRules.address(pod) else { return nil }
        var json: JSONObject = ["ip": .string(ip)]
        let view = PodView(pod)
        if PodEndpointRules.shouldSetHostname(pod, service: service) { json["hostname"] = .string(view.hostname) }
        if view.isScheduled { json["nodeName"] = .string(view.nodeName) }
        json["targetRef"] = PodEndpointRules.targetRef(pod)
        return Address(ip: ip, uid: pod.meta.uid, json: .object(json))
    }

    private mutating func add(_ address: Address, port: JSON?, ready: Bool) {
        let key = address.ip + "/" + address.uid
        addresses[key] = addresses[key] ?? address
        let portKey = port ?? .null  // the sentinel for "no ports"
        if let i = portAddresses.firstIndex(where: { $0.port == portKey }) {
            portAddresses[i].addresses[key] = (portAddresses[i].addresses[key] ?? false) || ready
        } else {
            portAddresses.append((portKey, [key: ready]))
        }
    }

    private func repacked() -> [JSON] {
        // Ports whose address sets (with readiness) are equal share a subset.
        var groups: [(addresses: [String: Bool], ports: [JSON])] = []
        for (port, set) in portAddresses {
            if let i = groups.firstIndex(where: { $0.addresses == set }) {
                if port != .null { groups[i].ports.append(port) }
            } else {
                groups.append((set, port == .null ? [] : [port]))
            }
        }
        var subsets: [(first: String, json: JSON)] = []
        for group in groups {
            let sorted = group.addresses.keys.compactMap { addresses[$0] }.sorted(by: Self.addressOrder)
            let ready = sorted.filter { group.addresses[$0.ip + "/" + $0.uid] == true }.map(\.json)
            let notReady = sorted.filter { group.addresses[$0.ip + "/" + $0.uid] != true }.map(\.json)
            var subset: JSONObject = [:]
            if !ready.isEmpty { subset["addresses"] = .array(ready) }
            if !notReady.isEmpty { subset["notReadyAddresses"] = .array(notReady) }
            let ports = group.ports.sorted { ($0["name"]?.stringValue ?? "", $0["port"]?.intValue ?? 0) < ($1["name"]?.stringValue ?? "", $1["port"]?.intValue ?? 0) }
            if !ports.isEmpty { subset["ports"] = .array(ports) }
            subsets.append((sorted.first.map { Self.sortKey($0) } ?? "", .object(subset)))
        }
        return subsets.sorted { $0.first < $1.first }.map(\.json)
    }

    /// Addresses sort by IP (numerically, as Go compares the address bytes), then pod UID.
    private static func addressOrder(_ a: Address, _ b: Address) -> Bool { sortKey(a) < sortKey(b) }

    private static func sortKey(_ a: Address) -> String {
        let octets = a.ip.split(separator: ".").map { String(repeating: "0", count: max(0, 3 - $0.count)) + $0 }
        return octets.joined(separator: ".") + "/" + a.uid
    }
}
