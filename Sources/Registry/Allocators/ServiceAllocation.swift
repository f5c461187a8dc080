import APIMachinery
import Storage

/// Service addresses and node ports, taken as upstream's service REST storage takes them
/// (pkg/registry/core/service/storage/alloc.go): IP families are settled first, then ClusterIPs,
/// then node ports and the health-check node port. Anything taken is given back when a later step
/// or the write fails.
extension ServiceStrategy {
    public func allocate(_ object: inout JSON, cluster: ClusterLookup) throws(APIError) -> [String] {
        let operation = ServicePoolOperation(cluster: cluster, name: object[path: "metadata", "name"]?.stringValue ?? "")
        var spec = object["spec"] ?? [:]
        do {
            try settleIPFamilies(&spec, old: nil, operation)
            try allocateClusterIPs(&spec, operation)
            try allocateNodePorts(&spec, operation)
        } catch {
            operation.revert()
            throw error
        }
        object["spec"] = spec
        return operation.takenIPs + operation.takenPorts.map(String.init)
    }

    /// Gives back every address and node port a stored (deleted, or never stored) Service holds.
    public func release(_ object: JSON, cluster: ClusterLookup) {
        let spec = object["spec"] ?? [:]
        if spec.string("type") != "ExternalName" {
            for ip in spec.array("clusterIPs").compactMap(\.stringValue) where ip != "None" {
                cluster.serviceIPs.release(ip)
            }
        }
        for port in ServiceNodePorts.collect(spec, healthCheck: true) { cluster.nodePorts.release(port) }
    }

    public func allocateUpdate(_ object: inout JSON, old: JSON, cluster: ClusterLookup) throws(APIError) -> AllocationTransaction {
        let operation = ServicePoolOperation(cluster: cluster, name: object[path: "metadata", "name"]?.stringValue ?? "")
        var spec = object["spec"] ?? [:]
        let oldSpec = old["spec"] ?? [:]
        do {
            try settleIPFamilies(&spec, old: oldSpec, operation)
            try updateClusterIPs(&spec, old: oldSpec, operation)
            try updateNodePorts(&spec, old: oldSpec, operation)
        } catch {
            operation.revert()
            throw error
        }
        object["spec"] = spec
        return operation.transaction
    }

    private func settleIPFamilies(_ spec: inout JSON, old: JSON?, _ operation: ServicePoolOperation) throws(APIError) {
        let errors = ServiceIPFamilies.initialize(&spec, old: old)
        if !errors.isEmpty { throw APIError.invalid(GroupKind(group: "", kind: "Service"), operation.name, errors) }
    }

    /// txnAllocClusterIPs on a single-stack cluster: ExternalName and headless Services get none.
    private func allocateClusterIPs(_ spec: inout JSON, _ operation: ServicePoolOperation) throws(APIError) {
        guard spec.string("type") != "ExternalName" else { return }
        let clusterIPs = spec.array("clusterIPs").map { $0.stringValue ?? "" }
        if clusterIPs.first == "None" { return }
        let ip = try operation.allocateIP(clusterIPs.first ?? "", clusterIPs: clusterIPs)
        spec["clusterIP"] = .string(ip)
        spec["clusterIPs"] = [.string(ip)]
    }

    /// handleClusterIPsForUpdatedService: leaving ExternalName allocates, entering it releases
    /// (after the write), headless Services hold nothing.
    private func updateClusterIPs(_ spec: inout JSON, old: JSON, _ operation: ServicePoolOperation) throws(APIError) {
        let wasExternal = old.string("type") == "ExternalName"
        let isExternal = spec.string("type") == "ExternalName"
        if wasExternal && !isExternal {
            try allocateClusterIPs(&spec, operation)
            return
        }
        let oldIPs = old.array("clusterIPs").compactMap(\.stringValue)
        if oldIPs.first == "None" { return }
        if !wasExternal && isExternal {
            for ip in oldIPs { operation.releaseLater(ip: ip) }
        }
    }
}
