import APIMachinery
import Foundation
import Registry

/// Where `pods/proxy` and `services/proxy` send a request, found as upstream's ResourceLocation
/// functions find it (pkg/registry/core/pod/strategy.go, pkg/registry/core/service/storage).
struct ProxyTarget: Equatable {
    var scheme: String
    var host: String
    /// A number or, for a pod, whatever the request named (Go's dialer resolves service names).
    var port: String

    /// `name`, `name:port` or `scheme:name:port` (apimachinery's SplitSchemeNamePort); the scheme
    /// is http, https or empty.
    static func splitSchemeNamePort(_ id: String) -> (scheme: String, name: String, port: String)? {
        let parts = id.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let split: (String, String, String)
        switch parts.count {
        case 1: split = ("", parts[0], "")
        case 2: split = ("", parts[0], parts[1])
        case 3: split = (parts[0], parts[1], parts[2])
        default: return nil
        }
        guard !split.1.isEmpty, ["http", "https", ""].contains(split.0) else { return nil }
        return split
    }

    /// A pod's address: its IP and the port asked for, else the first container port declared.
    static func pod(_ id: String, pods: ResourceStore, namespace: String) throws(APIError) -> ProxyTarget {
        guard let (scheme, name, requested) = splitSchemeNamePort(id) else { throw APIError.badRequest("invalid pod request \(FieldError.quote(id))") }
        let pod = PodView(try pods.get(namespace: namespace, name: name).object)
        var port = requested
        if port.isEmpty {
            port = pod.containers.lazy.compactMap { $0.object[path: "ports"]?.arrayValue?.first?[path: "containerPort"]?.intValue }.first.map { String($0) } ?? ""
        }
        guard let ip = pod.podIP, isGlobalUnicast(ip) else { throw APIError.badRequest("address not allowed") }
        return ProxyTarget(scheme: scheme, host: ip, port: port)
    }

    /// A ready endpoint of a Service: a port number is first turned into the Service port's name,
    /// then a random ready address of a subset serving that port name is picked.
    static func service(_ id: String, services: ResourceStore, endpoints: ResourceStore, pods: ResourceStore,
                        namespace: String) throws(APIError) -> ProxyTarget {
        guard let (scheme, name, requested) = splitSchemeNamePort(id) else { throw APIError.badRequest("invalid service request \(FieldError.quote(id))") }
        var portName = requested
        if let number = Int64(requested) {
            let service = ServiceView(try services.get(namespace: namespace, name: name).object)
            guard let port = service.ports.first(where: { $0.port == number }) else {
                throw APIError.serviceUnavailable("no service port \(number) found for service \(FieldError.quote(name))")
            }
            portName = port.name ?? ""
        }
        let subsets = try endpoints.get(namespace: namespace, name: name).object[path: "subsets"]?.arrayValue ?? []
        guard !subsets.isEmpty else { throw APIError.serviceUnavailable("no endpoints available for service \(FieldError.quote(name))") }
        let start = Int.random(in: 0..<subsets.count)
        for offset in 0..<subsets.count {
            let subset = subsets[(start + offset) % subsets.count]
            let addresses = subset[path: "addresses"]?.arrayValue ?? []
            guard !addresses.isEmpty else { continue }
            for port in subset[path: "ports"]?.arrayValue ?? [] where (port[path: "name"]?.stringValue ?? "") == portName {
                guard let number = port[path: "port"]?.intValue else { continue }
                let first = Int.random(in: 0..<addresses.count)
                for attempt in 0..<addresses.count {
                    let address = addresses[(first + attempt) % addresses.count]
                    guard let ip = address[path: "ip"]?.stringValue, isValid(address, ip: ip, pods: pods) else { continue }
                    return ProxyTarget(scheme: scheme, host: ip, port: String(number))
                }
            }
        }
        throw APIError.serviceUnavailable("no endpoints available for service \(FieldError.quote(id))")
    }

    /// upstream's isValidAddress: an address naming a pod must be that pod's current IP.
    private static func isValid(_ address: JSON, ip: String, pods: ResourceStore) -> Bool {
        guard address[path: "targetRef", "kind"]?.stringValue == "Pod",
              let name = address[path: "targetRef", "name"]?.stringValue,
              let namespace = address[path: "targetRef", "namespace"]?.stringValue else { return true }
        guard let pod = try? pods.get(namespace: namespace, name: name).object else { return false }
        let view = PodView(pod)
        return view.podIP == ip || view.podIPs.contains(ip)
    }

    /// Go's IP.IsGlobalUnicast for IPv4: not unspecified, loopback, link-local, multicast or broadcast.
    static func isGlobalUnicast(_ ip: String) -> Bool {
        var address = in_addr()
        guard inet_pton(AF_INET, ip, &address) == 1 else { return ip.contains(":") && !ip.hasPrefix("fe80") && ip != "::1" && ip != "::" }
        let b = withUnsafeBytes(of: address.s_addr) { Array($0) }
        if b == [0, 0, 0, 0] || b == [255, 255, 255, 255] { return false }
        if b[0] == 127 || b[0] >= 224 || (b[0] == 169 && b[1] == 254) { return false }
        return true
    }

    /// The port as a number: numeric, or a TCP service name (`http`), as Go's dialer resolves it.
    func portNumber() -> UInt16? {
        if port.isEmpty { return scheme == "https" ? 443 : 80 }
        if let number = UInt16(port) { return number }
        guard let entry = getservbyname(port, "tcp") else { return nil }
        return UInt16(bigEndian: UInt16(truncatingIfNeeded: entry.pointee.s_port))
    }

    /// `host:port` as Go's JoinHostPort writes it.
    var hostPort: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return port.isEmpty ? host : "\(host):\(port)"
    }
}
