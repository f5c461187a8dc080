import APIMachinery

/// Node ports (alloc.go initNodePorts, updateNodePorts, healthCheckNodePortUpdate).
extension ServiceStrategy {
    /// Ports sharing a port number (TCP and UDP on 53) share one node port; a requested node port
    /// anywhere among them is used for all.
    func allocateNodePorts(_ spec: inout JSON, _ operation: ServicePoolOperation) throws(APIError) {
        if ServiceNodePorts.needsNodePort(spec) {
            var ports = spec.array("ports")
            var byServicePort: [Int64: Int] = [:]
            let allocating = ServiceNodePorts.shouldAllocate(spec)
            for i in ports.indices {
                let requested = Int(ports[i]["nodePort"]?.intValue ?? 0)
                if requested == 0 && !allocating { continue }
                let servicePort = ports[i]["port"]?.intValue ?? 0
                if let shared = byServicePort[servicePort] {
                    if requested == 0 {
                        ports[i]["nodePort"] = .int(Int64(shared))
                    } else if requested != shared {
                        try operation.allocatePort(requested, index: i)
                    }
                    continue
                }
                let named = ports.first { $0["port"]?.intValue == servicePort && ($0["nodePort"]?.intValue ?? 0) != 0 }
                let nodePort: Int
                if let n = named?["nodePort"]?.intValue {
                    nodePort = Int(n)
                    try operation.allocatePort(nodePort, index: i)
                } else {
                    nodePort = try operation.allocateNextPort()
                }
                ports[i]["nodePort"] = .int(Int64(nodePort))
                byServicePort[servicePort] = nodePort
            }
            spec["ports"] = .array(ports)
        }
        if ServiceNodePorts.needsHealthCheck(spec) { try allocateHealthCheckNodePort(&spec, operation) }
    }

    func updateNodePorts(_ spec: inout JSON, old: JSON, _ operation: ServicePoolOperation) throws(APIError) {
        let oldNodePorts = ServiceNodePorts.collect(old)
        if ServiceNodePorts.needsNodePort(old) && ["ExternalName", "ClusterIP"].contains(spec.string("type")) {
            for port in oldNodePorts { operation.releaseLater(port: port) }
        }
        if ServiceNodePorts.needsNodePort(spec) {
            var ports = spec.array("ports")
            var takenNow = Set<Int>()
            var seen = Set<String>()
            let allocating = ServiceNodePorts.shouldAllocate(spec)
            for i in ports.indices {
                var nodePort = Int(ports[i]["nodePort"]?.intValue ?? 0)
                if nodePort == 0 && !allocating { continue }
                if nodePort != 0 {
                    if !oldNodePorts.contains(nodePort) && !takenNow.contains(nodePort) {
                        try operation.allocatePort(nodePort, index: i)
                        takenNow.insert(nodePort)
                    }
                } else {
                    nodePort = try operation.allocateNextPort()
                    ports[i]["nodePort"] = .int(Int64(nodePort))
                }
                let key = "\(ports[i].string("protocol"))/\(nodePort)"
                if !seen.insert(key).inserted {
                    throw APIError.internalError("duplicate nodePort: {\(ports[i].string("protocol")) \(nodePort)}")
                }
            }
            spec["ports"] = .array(ports)
            let newNodePorts = Set(ServiceNodePorts.collect(spec))
            for port in oldNodePorts where !newNodePorts.contains(port) { operation.releaseLater(port: port) }
        }
        let needed = ServiceNodePorts.needsHealthCheck(old)
        let needs = ServiceNodePorts.needsHealthCheck(spec)
        if !needed && needs {
            try allocateHealthCheckNodePort(&spec, operation)
        } else if needed && !needs, let hc = old["healthCheckNodePort"]?.intValue, hc > 0 {
            operation.releaseLater(port: Int(hc))
        }
    }

    /// A requested health-check node port is reserved, otherwise one is picked; failures are
    /// internal errors, as upstream reports them.
    private func allocateHealthCheckNodePort(_ spec: inout JSON, _ operation: ServicePoolOperation) throws(APIError) {
        let requested = Int(spec["healthCheckNodePort"]?.intValue ?? 0)
        do {
            if requested != 0 {
                try operation.takePort(requested)
            } else {
                spec["healthCheckNodePort"] = .int(Int64(try operation.takeNextPort()))
            }
        } catch {
            let what = requested != 0 ? "requested HealthCheck NodePort" : "a HealthCheck NodePort"
            throw APIError.internalError("failed to allocate \(what) \(requested): \(error.message)")
        }
    }
}
