import APIMachinery
import ControllerRuntime
import Foundation

/// Building a set's pods and claims and checking their identity (stateful_set_utils.go:
/// newStatefulSetPod, newVersionedStatefulSetPod, identityMatches, storageMatches,
/// getPersistentVolumeClaims, updateIdentity, updateStorage).
enum StatefulSetPodIdentity {
    /// The claims a pod of `ordinal` uses, as (template name, claim to create), in template order:
    /// each template with its per-pod name, the set's namespace, and the selector's matchLabels
    /// merged over the template's labels.
    static func claims(_ set: StatefulSetObject, ordinal: Int) -> [(template: String, claim: JSON)] {
        set.claimTemplates.map { template in
            var claim = template
            claim.meta.creationTimestamp = nil
            claim.meta.name = set.claimName(template, ordinal: ordinal)
            claim.meta.namespace = set.namespace
            claim.meta.labels = template.meta.labels.merging(set.selectorMatchLabels) { _, selector in selector }
            claim["apiVersion"] = "v1"
            claim["kind"] = "PersistentVolumeClaim"
            claim["status"] = nil
            return (template.meta.name, claim)
        }
    }

    /// A pod of `set` at `ordinal` (controller.GetPodFromTemplate, then initIdentity and updateStorage):
    /// the template's labels, annotations, finalizers and spec, `generateName: <set>-`, a controller
    /// reference, and `spec.hostname`/`spec.subdomain` which are immutable once created.
    static func newPod(_ set: StatefulSetObject, ordinal: Int) -> JSON {
        let template = set.template
        var meta = ObjectMetaView(["name": .string(set.podName(ordinal)), "generateName": .string("\(set.name)-"),
                                   "namespace": .string(set.namespace)])
        meta.labels = template.meta.labels
        meta.copy(["annotations"], from: template.meta)
        meta.ownerReferences = [set.controllerReference]
        meta.copy(["finalizers"], from: template.meta)
        var pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": meta.object, "spec": template["spec"] ?? [:]]
        updateIdentity(set, &pod)
        pod[path: "spec", "hostname"] = .string(set.podName(ordinal))
        if set.serviceName.isEmpty {
            pod[path: "spec", "subdomain"] = nil
        } else {
            pod[path: "spec", "subdomain"] = .string(set.serviceName)
        }
        updateStorage(set, &pod)
        return pod
    }

    /// newVersionedStatefulSetPod: ordinals below the partition (or, without a rollingUpdate, below
    /// the current replica count) are built from the current revision, the rest from the update revision.
    static func newVersionedPod(current: StatefulSetObject, update: StatefulSetObject,
                                currentRevision: String, updateRevision: String, ordinal: Int) -> JSON {
        let useCurrent: Bool
        if current.updateStrategyType == "RollingUpdate" && !current.hasRollingUpdate {
            useCurrent = ordinal < current.startOrdinal + current.currentReplicas
        } else if current.hasRollingUpdate {
            useCurrent = ordinal < current.startOrdinal + current.partition
        } else {
            useCurrent = false
        }
        var pod = newPod(useCurrent ? current : update, ordinal: ordinal)
        pod.meta.labels[StatefulPod.revisionLabel] = useCurrent ? currentRevision : updateRevision
        return pod
    }

    /// identityMatches: name, namespace and pod-name label agree with the set.
    static func identityMatches(_ set: StatefulSetObject, _ pod: JSON) -> Bool {
        let (parent, ordinal) = StatefulPod.parentAndOrdinal(pod.meta.name)
        return ordinal >= 0 && parent == set.name && pod.meta.name == set.podName(ordinal)
            && pod.meta.namespace == set.namespace && pod.meta.labels[StatefulPod.podNameLabel] == pod.meta.name
    }

    /// storageMatches: every claim template has a volume of its name bound to the pod's claim.
    static func storageMatches(_ set: StatefulSetObject, _ pod: JSON) -> Bool {
        let ordinal = StatefulPod.ordinal(pod)
        guard ordinal >= 0 else { return false }
        let volumes = pod[path: "spec", "volumes"]?.arrayValue ?? []
        for template in set.claimTemplates {
            guard let volume = volumes.first(where: { $0["name"]?.stringValue == template.meta.name }),
                  volume[path: "persistentVolumeClaim", "claimName"]?.stringValue == set.claimName(template, ordinal: ordinal)
            else { return false }
        }
        return true
    }

    /// updateIdentity: name, namespace, and the pod-name and pod-index labels.
    static func updateIdentity(_ set: StatefulSetObject, _ pod: inout JSON) {
        let ordinal = StatefulPod.ordinal(pod)
        pod.meta.name = set.podName(ordinal)
        pod.meta.namespace = set.namespace
        pod.meta.labels[StatefulPod.podNameLabel] = set.podName(ordinal)
        pod.meta.labels[StatefulPod.podIndexLabel] = String(ordinal)
    }

    /// updateStorage: one persistentVolumeClaim volume per claim template, replacing any volume of
    /// the same name, followed by the pod's other volumes.
    static func updateStorage(_ set: StatefulSetObject, _ pod: inout JSON) {
        let claims = claims(set, ordinal: StatefulPod.ordinal(pod))
        guard !claims.isEmpty else { return }
        let names = Set(claims.map(\.template))
        var volumes: [JSON] = claims.map { entry in
            ["name": .string(entry.template), "persistentVolumeClaim": ["claimName": .string(entry.claim.meta.name)]]
        }
        for volume in pod[path: "spec", "volumes"]?.arrayValue ?? [] where !names.contains(volume["name"]?.stringValue ?? "") {
            volumes.append(volume)
        }
        pod[path: "spec", "volumes"] = .array(volumes)
    }
}
