import APIMachinery
import Foundation

/// What kube-proxy's nftables mode programs, reduced to what one node needs: for each port of each
/// Service with a ClusterIP, a DNAT to one of its ready endpoints (EndpointSlices), picked at
/// random per connection; NodePorts the same on every local address; a Service port without ready
/// endpoints rejects connections (the client sees "connection refused"). Every DNATed connection is
/// masqueraded, so replies come back through the host even between pods on one bridge (no
/// br_netfilter) and a pod reaching itself through its Service (hairpin) works.
struct ServiceProxyRules: Equatable {
    struct Endpoint: Hashable, Comparable {
        var ip: String
        var port: Int64
        static func < (a: Endpoint, b: Endpoint) -> Bool { (a.ip, a.port) < (b.ip, b.port) }
    }

    /// One Service port: where clients send, and where it goes.
    struct ServicePort: Equatable {
        var service: String
        var `protocol`: String
        var clusterIP: String
        var port: Int64
        var nodePort: Int64?
        var endpoints: [Endpoint]
    }

    var ports: [ServicePort]

    /// The mark of connections to masquerade (kube-proxy's masquerade bit).
    static let masqueradeMark = "0x4000"

    /// Service ports from the Services and EndpointSlices in the informers' caches.
    init(services: [JSON], slices: [JSON]) {
        var bySlice: [String: [JSON]] = [:]
        for slice in slices {
            let view = EndpointSliceView(slice)
            guard view.addressType == "IPv4", let name = view.serviceName else { continue }
            bySlice["\(slice.meta.namespace ?? "")/\(name)", default: []].append(slice)
        }
        var ports: [ServicePort] = []
        for service in services {
            let view = ServiceView(service)
            guard view.hasClusterIP, !view.isExternalName, ProxyAddress.isIPv4(view.clusterIP) else { continue }
            let key = "\(service.meta.namespace ?? "")/\(service.meta.name)"
            for port in view.ports {
                guard let number = port.port else { continue }
                let endpoints = Self.readyEndpoints(bySlice[key] ?? [], portName: port.name ?? "", protocol: port.protocol)
                ports.append(ServicePort(service: "\(key):\(port.name ?? "")", protocol: port.protocol.lowercased(),
                                         clusterIP: view.clusterIP, port: number,
                                         nodePort: port.object[path: "nodePort"]?.intValue, endpoints: endpoints))
            }
        }
        self.ports = ports.sorted { ($0.service, $0.port) < ($1.service, $1.port) }
    }

    init(ports: [ServicePort]) { self.ports = ports }

    /// The endpoints of slices serving `portName`/`protocol` whose condition is ready (nil reads
    /// as ready, as the API defines it).
    static func readyEndpoints(_ slices: [JSON], portName: String, protocol: String) -> [Endpoint] {
        var out: Set<Endpoint> = []
        for slice in slices {
            let ports = slice[path: "ports"]?.arrayValue ?? []
            guard let port = ports.first(where: { ($0[path: "name"]?.stringValue ?? "") == portName
                && ($0[path: "protocol"]?.stringValue ?? "TCP") == `protocol` }),
                  let number = port[path: "port"]?.intValue else { continue }
            for endpoint in slice[path: "endpoints"]?.arrayValue ?? [] {
                guard endpoint[path: "conditions", "ready"] != .bool(false),
                      let ip = endpoint[path: "addresses"]?.arrayValue?.first?.stringValue, ProxyAddress.isIPv4(ip) else { continue }
                out.insert(Endpoint(ip: ip, port: number))
            }
        }
        return out.sorted()
    }

    /// The whole table as one `nft -f` script: it replaces the table atomically (the kernel applies
    /// the file as one transaction), so no connection ever sees half a rule set.
    /// `owner`: the process id recorded in the table's comment, by which a later run tells a crashed
    /// run's table from a live one's (`ServiceProxy.removeAbandoned`).
    func script(table: String, owner: Int32 = getpid()) -> String {
        var services: [String] = []
        var chains: [String] = []
        var noEndpoints: [String] = []
        var noEndpointNodePorts: [String] = []
        for (i, port) in ports.enumerated() {
            guard !port.endpoints.isEmpty else {
                noEndpoints.append("\(port.clusterIP) . \(port.protocol) . \(port.port)")
                if let nodePort = port.nodePort { noEndpointNodePorts.append("\(port.protocol) . \(nodePort)") }
                continue
            }
            services.append("ip daddr \(port.clusterIP) meta l4proto \(port.protocol) th dport \(port.port) goto svc-\(i)")
            if let nodePort = port.nodePort {
                services.append("fib daddr type local meta l4proto \(port.protocol) th dport \(nodePort) goto svc-\(i)")
            }
            var chain = "  chain svc-\(i) {\n    meta mark set meta mark | \(Self.masqueradeMark)\n"
            if port.endpoints.count == 1 {
                chain += "    goto ep-\(i)-0\n"
            } else {
                let map = port.endpoints.indices.map { "\($0) : goto ep-\(i)-\($0)" }.joined(separator: ", ")
                chain += "    numgen random mod \(port.endpoints.count) vmap { \(map) }\n"
            }
            chains.append(chain + "  }")
            for (j, endpoint) in port.endpoints.enumerated() {
                chains.append("  chain ep-\(i)-\(j) {\n    meta l4proto \(port.protocol) dnat to \(endpoint.ip):\(endpoint.port)\n  }")
            }
        }
        var out = "table ip \(table)\ndelete table ip \(table)\ntable ip \(table) {\n"
        out += "  comment \"\(NFTables.ownerComment(owner))\"\n"
        out += "  set no-endpoint-services {\n    type ipv4_addr . inet_proto . inet_service\n"
        if !noEndpoints.isEmpty { out += "    elements = { \(noEndpoints.joined(separator: ", ")) }\n" }
        out += "  }\n"
        out += "  set no-endpoint-nodeports {\n    type inet_proto . inet_service\n"
        if !noEndpointNodePorts.isEmpty { out += "    elements = { \(noEndpointNodePorts.joined(separator: ", ")) }\n" }
        out += "  }\n"
        // Rejecting is not allowed in nat chains: as kube-proxy, filter chains before DNAT do it.
        out += """
          chain filter-output {
            type filter hook output priority -110; policy accept;
            ip daddr . meta l4proto . th dport @no-endpoint-services reject
            fib daddr type local meta l4proto . th dport @no-endpoint-nodeports reject
          }
          chain filter-forward {
            type filter hook forward priority -110; policy accept;
            ip daddr . meta l4proto . th dport @no-endpoint-services reject
          }
          chain filter-input {
            type filter hook input priority -110; policy accept;
            fib daddr type local meta l4proto . th dport @no-endpoint-nodeports reject
          }
          chain nat-prerouting {
            type nat hook prerouting priority dstnat; policy accept;
            jump services
          }
          chain nat-output {
            type nat hook output priority -100; policy accept;
            jump services
          }
          chain nat-postrouting {
            type nat hook postrouting priority srcnat; policy accept;
            meta mark & \(Self.masqueradeMark) != 0 masquerade
          }
          chain services {

        """
        out += services.map { "    \($0)\n" }.joined()
        out += "  }\n"
        out += chains.map { $0 + "\n" }.joined()
        out += "}\n"
        return out
    }
}

/// Address checks of the service proxy.
enum ProxyAddress {
    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
