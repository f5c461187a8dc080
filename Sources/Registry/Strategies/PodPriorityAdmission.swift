import APIMachinery
import Storage

/// Upstream's Priority admission for a new pod (plugin/pkg/admission/priority): the pod's
/// `priorityClassName`, or the global default class when it names none, gives its `priority` and
/// `preemptionPolicy`; a class that does not exist, or a pod stating other values than its class
/// gives, is refused (403). Without a default class a pod gets priority 0 and PreemptLowerPriority.
enum PodPriorityAdmission {
    static func admit(_ pod: inout JSON, classes: [StoredObject]) throws(APIError) {
        let spec = pod["spec"] ?? [:]
        let named = spec["priorityClassName"]?.stringValue ?? ""
        let resolved: (name: String, value: Int64, policy: JSON)
        if named.isEmpty {
            // getDefaultPriorityClass: of several defaults, the lowest value.
            let defaults = classes.map(\.object).filter { $0["globalDefault"]?.boolValue == true }
            if let chosen = defaults.min(by: { ($0["value"]?.intValue ?? 0) < ($1["value"]?.intValue ?? 0) }) {
                resolved = (chosen.meta.name, chosen["value"]?.intValue ?? 0, chosen["preemptionPolicy"] ?? "PreemptLowerPriority")
            } else {
                resolved = ("", 0, "PreemptLowerPriority")
            }
        } else {
            guard let found = classes.first(where: { $0.object.meta.name == named })?.object else {
                throw forbidden(pod, "no PriorityClass with name \(named) was found")
            }
            resolved = (named, found["value"]?.intValue ?? 0, found["preemptionPolicy"] ?? "PreemptLowerPriority")
        }
        if let given = spec["priority"]?.intValue, given != resolved.value {
            throw forbidden(pod, "the integer value of priority (\(given)) must not be provided in pod spec; "
                + "priority admission controller computed \(resolved.value) from the given PriorityClass name")
        }
        if let given = spec["preemptionPolicy"]?.stringValue, resolved.policy != .null, .string(given) != resolved.policy {
            throw forbidden(pod, "the string value of PreemptionPolicy (\(given)) must not be provided in pod spec; "
                + "priority admission controller computed \(resolved.policy.stringValue ?? "") from the given PriorityClass name")
        }
        pod.modifyPath("spec") { spec in
            if !resolved.name.isEmpty { spec["priorityClassName"] = .string(resolved.name) }
            spec["priority"] = .int(resolved.value)
            if resolved.policy != .null { spec["preemptionPolicy"] = resolved.policy }
        }
    }

    static func forbidden(_ pod: JSON, _ why: String) -> APIError {
        Admission.forbidden(pod, resource: ResourceCatalog.pods.groupResource, why)
    }
}

/// What admission plugins share.
enum Admission {
    /// admission.NewForbidden: names the object by its name, or its generateName before it has one.
    static func forbidden(_ object: JSON, resource: GroupResource, _ why: String) -> APIError {
        let name = object.meta.name.isEmpty ? (object[path: "metadata", "generateName"]?.stringValue ?? "") : object.meta.name
        return APIError.forbidden(resource, name, why)
    }
}
