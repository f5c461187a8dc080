import APIMachinery

/// One create's or update's dealings with the Service pools (upstream's alloc.go transactions):
/// what it took, to give back if the write fails, and what the old object held that the new one
/// no longer needs, to release once the write is stored.
final class ServicePoolOperation {
    let ips: ServiceIPAllocator
    let ports: NodePortAllocator
    let name: String
    private(set) var takenIPs: [String] = []
    private(set) var takenPorts: [Int] = []
    private var releasedIPs: [String] = []
    private var releasedPorts: [Int] = []

    init(cluster: ClusterLookup, name: String) {
        ips = cluster.serviceIPs
        ports = cluster.nodePorts
        self.name = name
    }

    var transaction: AllocationTransaction {
        let (ips, ports) = (self.ips, self.ports)
        let (takenIPs, takenPorts, releasedIPs, releasedPorts) = (self.takenIPs, self.takenPorts, self.releasedIPs, self.releasedPorts)
        return AllocationTransaction(
            commit: {
                for ip in releasedIPs { ips.release(ip) }
                for port in releasedPorts { ports.release(port) }
            },
            revert: {
                for ip in takenIPs { ips.release(ip) }
                for port in takenPorts { ports.release(port) }
            })
    }

    func revert() { transaction.revert() }

    func releaseLater(ip: String) { releasedIPs.append(ip) }
    func releaseLater(port: Int) { releasedPorts.append(port) }

    /// allocIPs: a requested address (422 when outside the range or taken) or any free one (500
    /// when the range is full).
    func allocateIP(_ requested: String, clusterIPs: [String]) throws(APIError) -> String {
        do {
            if requested.isEmpty {
                let ip = try ips.allocateNext()
                takenIPs.append(ip)
                return ip
            }
            try ips.allocate(requested)
            takenIPs.append(requested)
            return requested
        } catch {
            if case .full = error { throw APIError.internalError("failed to allocate a serviceIP: \(error.message)") }
            throw invalid(.invalidValue(FieldPath("spec.clusterIPs"), ServiceValidation.goStringSlice(clusterIPs),
                                        "failed to allocate IP \(requested): \(error.message)"))
        }
    }

    /// A requested node port (422 at `spec.ports[i].nodePort` when outside the range or taken).
    func allocatePort(_ port: Int, index: Int) throws(APIError) {
        do {
            try takePort(port)
        } catch {
            throw invalid(.invalid(FieldPath("spec.ports").index(index).child("nodePort"), .int(Int64(port)), error.message))
        }
    }

    /// A specific node port, with the allocator's own error.
    func takePort(_ port: Int) throws(RangeAllocationError) {
        try ports.allocate(port)
        takenPorts.append(port)
    }

    /// Any free node port, with the allocator's own error.
    func takeNextPort() throws(RangeAllocationError) -> Int {
        let port = try ports.allocateNext()
        takenPorts.append(port)
        return port
    }

    /// Any free node port (500 when the range is full).
    func allocateNextPort() throws(APIError) -> Int {
        do {
            return try takeNextPort()
        } catch {
            throw APIError.internalError("failed to allocate a nodePort: \(error.message)")
        }
    }

    func invalid(_ error: FieldError) -> APIError {
        APIError.invalid(GroupKind(group: "", kind: "Service"), name, [error])
    }
}

extension FieldError {
    /// An Invalid error whose bad value is already rendered (Go's %#v of a slice).
    static func invalidValue(_ path: FieldPath, _ rendered: String, _ detail: String) -> FieldError {
        FieldError(.invalid, path, value: rendered, detail)
    }
}
