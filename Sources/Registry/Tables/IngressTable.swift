import APIMachinery
import Foundation

/// `kubectl get ingresses` columns, as upstream's printIngress.
public enum IngressTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Class", description: "The name of the IngressClass resource that should be used for this Ingress."),
        TableColumn(name: "Hosts", description: "Hosts that incoming requests are matched against before the ingress rule"),
        TableColumn(name: "Address", description: "Address is a list containing ingress points for the load-balancer"),
        TableColumn(name: "Ports", description: "Ports of TLS configurations that open"),
        .age,
    ]
    /// loadBalancerWidth: server-side printing is never wide, so longer addresses are cut.
    static let addressWidth = 16

    public static func cells(_ ingress: JSON, now: Date) -> [JSON] {
        let className = ingress[path: "spec", "ingressClassName"]?.stringValue ?? "<none>"
        let ports = PrinterFormat.array(ingress[path: "spec", "tls"]).isEmpty ? "80" : "80, 443"
        return [PrinterFormat.name(ingress), .string(className), .string(hosts(ingress)), .string(address(ingress)),
                .string(ports), PrinterFormat.age(ingress, now: now)]
    }

    /// formatHosts: the first four rule hosts, `*` when none names one.
    static func hosts(_ ingress: JSON) -> String {
        let rules = PrinterFormat.array(ingress[path: "spec", "rules"])
        let max = 4
        var list: [String] = []
        var more = false
        for rule in rules {
            if list.count == max { more = true }
            let host = PrinterFormat.string(rule["host"])
            if !more && !host.isEmpty { list.append(host) }
        }
        if list.isEmpty { return "*" }
        let joined = list.joined(separator: ",")
        return more ? "\(joined) + \(rules.count - max) more..." : joined
    }

    /// ingressLoadBalancerStatusStringer: sorted unique IPs (or hostnames), cut at 16 characters.
    static func address(_ ingress: JSON) -> String {
        var result = Set<String>()
        for entry in PrinterFormat.array(ingress[path: "status", "loadBalancer", "ingress"]) {
            let ip = PrinterFormat.string(entry["ip"])
            let hostname = PrinterFormat.string(entry["hostname"])
            if !ip.isEmpty { result.insert(ip) } else if !hostname.isEmpty { result.insert(hostname) }
        }
        let joined = result.sorted().joined(separator: ",")
        return joined.count > addressWidth ? String(joined.prefix(addressWidth - 3)) + "..." : joined
    }
}

/// `kubectl get ingressclasses` columns, as upstream's printIngressClass.
public enum IngressClassTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Controller", description: "Controller that is responsible for handling this class"),
        TableColumn(name: "Parameters", description: "A reference to a resource with additional parameters"),
        .age,
    ]

    public static func cells(_ ingressClass: JSON, now: Date) -> [JSON] {
        var parameters = "<none>"
        if let reference = ingressClass[path: "spec", "parameters"], reference != .null {
            parameters = PrinterFormat.string(reference["kind"])
            if let group = reference["apiGroup"]?.stringValue { parameters += "." + group }
            parameters += "/" + PrinterFormat.string(reference["name"])
        }
        return [PrinterFormat.name(ingressClass), .string(PrinterFormat.string(ingressClass[path: "spec", "controller"])),
                .string(parameters), PrinterFormat.age(ingressClass, now: now)]
    }
}
