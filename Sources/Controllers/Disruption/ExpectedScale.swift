import APIMachinery
import ControllerRuntime
import Registry

/// getExpectedPodCount / getExpectedScale: how many pods the budget's pods' controllers want, and
/// how many must stay healthy.
enum ExpectedScale {
    static let replicaSets = GroupResource(group: "apps", resource: "replicasets")
    static let deployments = GroupResource(group: "apps", resource: "deployments")
    static let statefulSets = GroupResource(group: "apps", resource: "statefulsets")
    static let controllerResources = [replicaSets, deployments, statefulSets]

    /// getExpectedScale's failure: a pod's controller could not be resolved to a scale.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Result {
        var expectedCount: Int64
        var desiredHealthy: Int64
        var unmanagedPods: [String]
    }

    /// An integer minAvailable counts the pods themselves; a percentage or maxUnavailable scales
    /// against the controllers' replicas (percentages rounded up, as GetScaledValueFromIntOrPercent).
    static func count(_ budget: PodDisruptionBudgetView, pods: [JSON], context: ControllerContext) throws(Failure) -> Result {
        if let maxUnavailable = budget.maxUnavailable {
            let (expected, unmanaged) = try scale(pods, context: context)
            let allowed = scaled(maxUnavailable, of: expected)
            return Result(expectedCount: expected, desiredHealthy: max(0, expected - allowed), unmanagedPods: unmanaged)
        }
        if let minAvailable = budget.minAvailable {
            if let count = minAvailable.intValue {
                return Result(expectedCount: Int64(pods.count), desiredHealthy: count, unmanagedPods: [])
            }
            let (expected, unmanaged) = try scale(pods, context: context)
            return Result(expectedCount: expected, desiredHealthy: scaled(minAvailable, of: expected), unmanagedPods: unmanaged)
        }
        return Result(expectedCount: 0, desiredHealthy: 0, unmanagedPods: [])
    }

    static func scaled(_ value: JSON, of total: Int64) -> Int64 {
        if let n = value.intValue { return n }
        guard let text = value.stringValue, text.hasSuffix("%"), let percent = Int64(text.dropLast()) else { return 0 }
        return (percent * total + 99) / 100
    }

    /// The sum of `spec.replicas` over the distinct controllers of the pods (a ReplicaSet owned by
    /// a Deployment counts as the Deployment); pods without a controller are unmanaged, and a pod
    /// whose controller is gone or has no scale fails the count, as upstream's finders do.
    static func scale(_ pods: [JSON], context: ControllerContext) throws(Failure) -> (Int64, [String]) {
        var seen: Set<String> = []
        var total: Int64 = 0
        var unmanaged: [String] = []
        for pod in pods {
            guard let ref = pod.meta.ownerReferences.first(where: \.controller) else {
                unmanaged.append(pod.meta.name)
                continue
            }
            if seen.contains(ref.uid) { continue }
            guard let (uid, replicas) = try controllerScale(ref, namespace: pod.meta.namespace, context: context) else {
                throw Failure(description: "found no controllers for pod \(FieldError.quote(pod.meta.name))")
            }
            if seen.insert(uid).inserted { total += replicas }
            seen.insert(ref.uid)
        }
        return (total, unmanaged)
    }

    static func controllerScale(_ ref: OwnerReferenceView, namespace: String,
                                context: ControllerContext) throws(Failure) -> (String, Int64)? {
        switch ref.kind {
        case "ReplicaSet":
            guard let set = context.informer(replicaSets).get(namespace: namespace, name: ref.name), set.meta.uid == ref.uid else { return nil }
            if let owner = set.meta.ownerReferences.first(where: { $0.controller && $0.kind == "Deployment" }),
               let deployment = context.informer(deployments).get(namespace: namespace, name: owner.name), deployment.meta.uid == owner.uid {
                return (owner.uid, deployment[path: "spec", "replicas"]?.intValue ?? 1)
            }
            return (ref.uid, set[path: "spec", "replicas"]?.intValue ?? 1)
        case "StatefulSet":
            guard let set = context.informer(statefulSets).get(namespace: namespace, name: ref.name), set.meta.uid == ref.uid else { return nil }
            return (ref.uid, set[path: "spec", "replicas"]?.intValue ?? 1)
        default:
            // getScaleController: any other kind answers through its scale subresource, if it has one.
            let group = ref.apiVersion.contains("/") ? String(ref.apiVersion.prefix { $0 != "/" }) : ""
            guard let resource = context.registry.resources.first(where: { $0.kind == ref.kind && $0.group == group }) else {
                throw Failure(description: "no matches for kind \(FieldError.quote(ref.kind)) in version \(FieldError.quote(ref.apiVersion))")
            }
            guard let scale = context.registry.scale(resource.groupResource) else {
                throw Failure(description: "\(resource.groupResource) does not implement the scale subresource")
            }
            guard let answer = try? scale.get(namespace: namespace, name: ref.name), answer[path: "metadata", "uid"]?.stringValue == ref.uid else {
                return nil
            }
            return (ref.uid, answer[path: "spec", "replicas"]?.intValue ?? 0)
        }
    }
}
