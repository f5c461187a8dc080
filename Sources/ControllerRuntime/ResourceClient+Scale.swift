import APIMachinery
import Foundation
import Registry

extension ResourceClient {
    /// GET on `scale` (client-go's scale client): an autoscaling/v1 Scale of the object, asked as
    /// the controller's user (the HorizontalPodAutoscaler's role grants `get` on `*/scale`).
    public func getScale(namespace: String?, name: String) throws(APIError) -> JSON {
        guard let scale = registry.scale(store.resource.groupResource) else {
            throw APIError.notFound(store.resource.groupResource, name)
        }
        try authorizeRead("get", namespace: namespace, name: name, subresource: "scale")
        return try scale.get(namespace: namespace, name: name)
    }

    /// PUT on `scale`: only the object's spec.replicas changes, through its update path.
    public func updateScale(namespace: String?, name: String, scale body: JSON) throws(APIError) -> JSON {
        guard let scale = registry.scale(store.resource.groupResource) else {
            throw APIError.notFound(store.resource.groupResource, name)
        }
        return try write("update", namespace: namespace, name: name, subresource: "scale", body: body, options: WriteOptions(),
                         answer: { $0 }) { (options) throws(APIError) in
            try scale.update(namespace: namespace, name: name, body: body, options: options)
        }
    }

    /// A read that upstream makes with the controller's own credentials (not the informers'),
    /// checked as the API server would.
    func authorizeRead(_ verb: String, namespace: String?, name: String, subresource: String = "") throws(APIError) {
        guard let acting else { return }
        let resource = store.resource
        try ResourceClient.authorize(AuthorizationAttributes(
            user: acting.user, verb: verb, namespace: resource.namespaced ? namespace ?? "" : "", apiGroup: resource.group,
            apiVersion: resource.version, resource: resource.plural, subresource: subresource, name: name), registry: registry)
    }

    static func authorize(_ attributes: AuthorizationAttributes, registry: Registry) throws(APIError) {
        let authorizer = registry.authorizer
        guard !authorizer.allowsEverything else { return }
        let decision = authorizer.authorize(attributes)
        guard decision.allowed else { throw Forbidden.error(attributes, reason: decision.reason) }
    }
}

/// `metrics.k8s.io` as a controller reads it (the HPA's resource metrics client): PodMetrics of a
/// namespace's pods matching a selector, listed as the controller's user.
public struct ResourceMetricsClient: Sendable {
    let registry: Registry
    let acting: ControllerUser?

    public init(registry: Registry, acting: ControllerUser?) { self.registry = registry; self.acting = acting }

    /// The usage of each pod (by name) among `pods` that has metrics; a 503 when nothing serves
    /// the metrics API (as the aggregator answers for an unavailable APIService).
    public func podUsage(namespace: String, pods: [JSON]) throws(APIError) -> [String: PodUsage] {
        guard let source = registry.resourceMetrics else {
            throw APIError.serviceUnavailable("the server is currently unable to handle the request (get pods.metrics.k8s.io)")
        }
        if let acting {
            try ResourceClient.authorize(AuthorizationAttributes(
                user: acting.user, verb: "list", namespace: namespace, apiGroup: MetricsResources.group,
                apiVersion: MetricsResources.version, resource: "pods"), registry: registry)
        }
        var usage: [String: PodUsage] = [:]
        for pod in pods {
            if let u = source.podUsage(namespace: namespace, name: pod.meta.name) { usage[pod.meta.name] = u }
        }
        return usage
    }
}

extension ControllerContext {
    /// The metrics API as this context's user reads it.
    public var resourceMetrics: ResourceMetricsClient { ResourceMetricsClient(registry: registry, acting: acting) }
}
