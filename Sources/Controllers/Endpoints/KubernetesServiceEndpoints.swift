import APIMachinery
import ControllerRuntime
import Foundation
import Registry

/// Where the API server is reached: what the `kubernetes` Service in `default` points at
/// (kube-apiserver's advertise address and served port).
public struct APIServerEndpoint: Sendable, Equatable {
    public var address: String
    public var port: Int

    /// - Parameters:
    ///   - address: the advertised IPv4 address. Upstream's Endpoints validation refuses loopback
    ///     and link-local addresses, so with 127.0.0.1 the `kubernetes` Endpoints cannot be written
    ///     (kube-apiserver logs the same failure); use `advertising(bindAddress:port:)` to pick an
    ///     address as kube-apiserver does.
    ///   - port: the served port.
    public init(address: String, port: Int) {
        self.address = address
        self.port = port
    }

    /// kube-apiserver's default advertise address: the bind address, or, when the server binds
    /// every address, the first non-loopback IPv4 address of an interface that is up (127.0.0.1
    /// when there is none).
    public static func advertising(bindAddress: String, port: Int) -> APIServerEndpoint {
        guard bindAddress.isEmpty || bindAddress == "0.0.0.0" else { return APIServerEndpoint(address: bindAddress, port: port) }
        return APIServerEndpoint(address: HostInterfaces.firstIPv4() ?? "127.0.0.1", port: port)
    }
}

/// What upstream's API server endpoint reconciler and `kubernetes` Service controller maintain:
/// the Service's port 443 (`https`) targets the served port; the Endpoints `kubernetes` list the
/// server's address on that port (labelled `endpointslice.kubernetes.io/skip-mirror: "true"`, so no
/// mirroring controller copies them); the EndpointSlice `kubernetes` mirrors them, as upstream's
/// EndpointsAdapter writes it (labelled with the service name only). These are the API server's
/// own writes upstream, so `context` acts as the server, not as the endpoint controller.
struct KubernetesServiceEndpoints {
    let apiServer: APIServerEndpoint
    let context: ControllerContext

    static let skipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror"

    /// Returns false when a write failed and the reconciliation should be retried.
    func reconcile() -> Bool {
        reconcileService() && reconcileEndpoints() && reconcileSlice()
    }

    private var ports: JSON { [["name": "https", "port": .int(Int64(apiServer.port)), "protocol": "TCP"]] }

    private func reconcileService() -> Bool {
        let store = context.client(GroupResource(group: "", resource: "services"))
        guard let service = try? store.get(namespace: "default", name: "kubernetes").object else { return true }
        let wanted: JSON = [["name": "https", "protocol": "TCP", "port": 443, "targetPort": .int(Int64(apiServer.port))]]
        guard !(service[path: "spec", "ports"] ?? .null).sameContent(as: wanted) else { return true }
        let patch: JSON = ["spec": ["ports": wanted]]
        return write { () throws(APIError) in
            _ = try store.patch(namespace: "default", name: "kubernetes", type: .merge, patch: RequestBody(value: patch), options: WriteOptions())
        }
    }

    private func reconcileEndpoints() -> Bool {
        let store = context.client(GroupResource(group: "", resource: "endpoints"))
        let subsets: JSON = [["addresses": [["ip": .string(apiServer.address)]], "ports": ports]]
        let current = try? store.get(namespace: "default", name: "kubernetes").object
        if let current, current["subsets"].sameContent(as: subsets),
           current.meta.label(Self.skipMirrorLabel) == "true" {
            return true
        }
        var endpoints = current ?? ["apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": "kubernetes", "namespace": "default"]]
        endpoints.meta.setLabel(Self.skipMirrorLabel, "true")
        endpoints["subsets"] = subsets
        return write { () throws(APIError) in
            if current == nil {
                _ = try store.create(namespace: "default", body: RequestBody(value: endpoints), options: WriteOptions())
            } else {
                _ = try store.update(namespace: "default", name: "kubernetes", body: RequestBody(value: endpoints), options: WriteOptions())
            }
        }
    }

    private func reconcileSlice() -> Bool {
        let store = context.client(GroupResource(group: "discovery.k8s.io", resource: "endpointslices"))
        let endpoints: JSON = [["addresses": [.string(apiServer.address)], "conditions": ["ready": true]]]
        let slicePorts: JSON = [["name": "https", "protocol": "TCP", "port": .int(Int64(apiServer.port))]]
        let current = try? store.get(namespace: "default", name: "kubernetes").object
        if let current, current["endpoints"].sameContent(as: endpoints), current["ports"].sameContent(as: slicePorts),
           current["addressType"] == "IPv4", current.meta.label(EndpointSliceLabels.serviceName) == "kubernetes" {
            return true
        }
        var slice = current ?? ["apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                                "metadata": ["name": "kubernetes", "namespace": "default"]]
        slice.meta.setLabels([EndpointSliceLabels.serviceName: "kubernetes"])
        slice["addressType"] = "IPv4"
        slice["endpoints"] = endpoints
        slice["ports"] = slicePorts
        return write { () throws(APIError) in
            if current == nil {
                _ = try store.create(namespace: "default", body: RequestBody(value: slice), options: WriteOptions())
            } else {
                _ = try store.update(namespace: "default", name: "kubernetes", body: RequestBody(value: slice), options: WriteOptions())
            }
        }
    }

    private func write(_ body: () throws(APIError) -> Void) -> Bool {
        do {
            try body()
            return true
        } catch {
            context.logger.debug("kubernetes service endpoints", metadata: ["error": "\(error.message)"])
            return false
        }
    }
}
