import APIMachinery

/// The Service variables the kubelet gives every container (pkg/kubelet's getServiceEnvVarMap and
/// pkg/kubelet/envvars): for each Service with a cluster IP in the pod's namespace (unless the pod
/// sets `enableServiceLinks: false`), and always for the master `kubernetes` Service of `default`,
/// `<NAME>_SERVICE_HOST`/`_SERVICE_PORT` and Docker's link variables. In-cluster clients find the
/// API server through `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT`.
enum ServiceEnvironment {
    static let masterNamespace = "default"
    static let masterServices: Set<String> = ["kubernetes"]

    /// The variables in upstream's order per Service; Services by name, as a later one of the same
    /// name (the pod's namespace) replaces the master Service.
    static func variables(for pod: JSON, services: ContainerLaunch.ServiceSource) -> [(name: String, value: String)] {
        let namespace = pod.meta.namespace.isEmpty ? "default" : pod.meta.namespace
        let links = pod[path: "spec", "enableServiceLinks"]?.boolValue ?? true
        var chosen: [String: JSON] = [:]
        for service in services(masterNamespace) where masterServices.contains(service.meta.name) && hasClusterIP(service) {
            chosen[service.meta.name] = service
        }
        if links {
            for service in services(namespace) where hasClusterIP(service) { chosen[service.meta.name] = service }
        }
        return chosen.keys.sorted().flatMap { variables(of: chosen[$0]!) }
    }

    /// envvars.FromServices for one Service.
    static func variables(of service: JSON) -> [(name: String, value: String)] {
        let prefix = variableName(service.meta.name)
        let ip = service[path: "spec", "clusterIP"]?.stringValue ?? ""
        let ports = service[path: "spec", "ports"]?.arrayValue ?? []
        guard let first = ports.first?["port"]?.intValue else { return [] }
        var result: [(String, String)] = [("\(prefix)_SERVICE_HOST", ip), ("\(prefix)_SERVICE_PORT", String(first))]
        for port in ports {
            guard let name = port["name"]?.stringValue, !name.isEmpty, let number = port["port"]?.intValue else { continue }
            result.append(("\(prefix)_SERVICE_PORT_\(variableName(name))", String(number)))
        }
        // Docker's link variables; the first port also as `<NAME>_PORT`.
        for (index, port) in ports.enumerated() {
            guard let number = port["port"]?.intValue else { continue }
            let proto = port["protocol"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "TCP"
            let hostPort = ip.contains(":") ? "[\(ip)]:\(number)" : "\(ip):\(number)"
            let url = "\(proto.lowercased())://\(hostPort)"
            if index == 0 { result.append(("\(prefix)_PORT", url)) }
            let portPrefix = "\(prefix)_PORT_\(number)_\(proto.uppercased())"
            result += [(portPrefix, url), ("\(portPrefix)_PROTO", proto.lowercased()),
                       ("\(portPrefix)_PORT", String(number)), ("\(portPrefix)_ADDR", ip)]
        }
        return result
    }

    /// v1helper.IsServiceIPSet: a cluster IP that is neither empty nor `None` (headless).
    static func hasClusterIP(_ service: JSON) -> Bool {
        let ip = service[path: "spec", "clusterIP"]?.stringValue ?? ""
        return !ip.isEmpty && ip != "None"
    }

    /// makeEnvVariableName: upper case, dashes as underscores.
    static func variableName(_ name: String) -> String {
        name.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}
