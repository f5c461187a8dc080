import APIMachinery
import Foundation

/// `kubectl get services` columns, as upstream's printService. The server always prints the wide
/// form, so load-balancer addresses are never clipped to 16 characters here.
public enum ServiceTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Type", description: "How the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName."),
        TableColumn(name: "Cluster-IP", description: "The IP address of the service, usually assigned by the control plane."),
        TableColumn(name: "External-IP", description: "IP addresses for which nodes accept traffic for this service."),
        TableColumn(name: "Port(s)", description: "The ports exposed by this service."),
        .age,
        TableColumn(name: "Selector", description: "Labels of the pods the service routes traffic to.", priority: 1),
    ]

    public static func cells(_ service: JSON, now: Date) -> [JSON] {
        let spec = service["spec"] ?? .null
        var clusterIP = PrinterFormat.string(PrinterFormat.array(spec["clusterIPs"]).first)
        if clusterIP.isEmpty { clusterIP = PrinterFormat.string(spec["clusterIP"]) }
        var ports = portString(PrinterFormat.array(spec["ports"]))
        if ports.isEmpty { ports = "<none>" }
        return [
            PrinterFormat.name(service),
            .string(PrinterFormat.string(spec["type"])),
            .string(clusterIP.isEmpty ? "<none>" : clusterIP),
            .string(externalIP(service)),
            .string(ports),
            PrinterFormat.age(service, now: now),
            .string(PrinterFormat.labels(spec["selector"])),
        ]
    }

    /// makePortString: `port/protocol`, or `port:nodePort/protocol` when a node port is allocated.
    static func portString(_ ports: [JSON]) -> String {
        ports.map { port in
            let number = PrinterFormat.int(port["port"])
            let nodePort = PrinterFormat.int(port["nodePort"])
            let proto = PrinterFormat.string(port["protocol"])
            return nodePort > 0 ? "\(number):\(nodePort)/\(proto)" : "\(number)/\(proto)"
        }.joined(separator: ",")
    }

    /// getServiceExternalIP with wide output.
    static func externalIP(_ service: JSON) -> String {
        let spec = service["spec"] ?? .null
        let externalIPs = PrinterFormat.array(spec["externalIPs"]).compactMap(\.stringValue)
        switch PrinterFormat.string(spec["type"]) {
        case "ClusterIP", "NodePort":
            return externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
        case "LoadBalancer":
            let ingress = PrinterFormat.array(service[path: "status", "loadBalancer", "ingress"])
            let addresses = Set(ingress.compactMap { entry -> String? in
                let ip = PrinterFormat.string(entry["ip"])
                if !ip.isEmpty { return ip }
                let host = PrinterFormat.string(entry["hostname"])
                return host.isEmpty ? nil : host
            }).sorted()
            if !externalIPs.isEmpty { return (addresses + externalIPs).joined(separator: ",") }
            return addresses.isEmpty ? "<pending>" : addresses.joined(separator: ",")
        case "ExternalName":
            return PrinterFormat.string(spec["externalName"])
        default:
            return "<unknown>"
        }
    }
}
