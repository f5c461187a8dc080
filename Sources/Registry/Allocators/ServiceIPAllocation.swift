import APIMachinery
import Storage

extension ServiceStrategy {
    /// ClusterIP, NodePort and LoadBalancer Services get an address from the service CIDR; headless
    /// (`clusterIP: None`) and ExternalName Services get none.
    public func allocate(_ object: inout JSON, registry: Registry) throws(APIError) -> [String] {
        let type = object[path: "spec", "type"]?.stringValue ?? "ClusterIP"
        let requested = object[path: "spec", "clusterIP"]?.stringValue ?? ""
        guard type != "ExternalName", requested != "None" else { return [] }
        let ip = try registry.serviceIPs.allocate(requested.isEmpty ? nil : requested, storage: registry.storage)
        object[path: "spec", "clusterIP"] = .string(ip)
        object[path: "spec", "clusterIPs"] = [.string(ip)]
        return [ip]
    }

    public func release(_ object: JSON, registry: Registry) {
        for ip in object[path: "spec", "clusterIPs"]?.arrayValue ?? [] where ip.stringValue != "None" {
            registry.serviceIPs.release(ip.stringValue ?? "")
        }
    }
}
