import APIMachinery
import Storage

/// The `pods/binding` subresource (upstream's BindingREST): how a scheduler assigns a pod to a
/// node. A POST of a core/v1 Binding sets spec.nodeName, which no pod update may change, merges
/// the Binding's annotations and sets the PodScheduled condition to True.
public struct BindingStore: Sendable {
    static let bindingResource = GroupResource(group: "", resource: "pods/binding")
    static let podsResource = GroupResource(group: "", resource: "pods")
    /// The pods' store.
    public let pods: ResourceStore

    /// nil unless `pods` is the store of core/v1 pods: only pods have a binding.
    public init?(pods: ResourceStore) {
        guard pods.resource.groupResource == Self.podsResource else { return nil }
        self.pods = pods
    }

    /// Binds pod `name` to `binding.target.name` and answers a Success Status (HTTP 201).
    /// Refused with a Conflict on `pods/binding` when the pod is being deleted, is already bound,
    /// or still has scheduling gates, or when the Binding's uid/resourceVersion preconditions fail.
    public func create(namespace: String?, name: String, binding: JSON, options: WriteOptions) throws(APIError) -> JSON {
        let target = try Self.validateBinding(binding, name: name)
        let storageKey = pods.key(namespace: namespace, name: name)
        let wantedUID = binding[path: "metadata", "uid"]?.stringValue ?? ""
        let wantedVersion = binding[path: "metadata", "resourceVersion"]?.stringValue ?? ""
        let annotations = binding[path: "metadata", "annotations"]?.objectValue ?? [:]
        for _ in 0..<ResourceStore.maxConflictRetries {
            // Every refusal below is made from the pod's state, so that state must be durable.
            let latest = pods.storage.latest(storageKey)
            if !pods.settled(latest) { continue }
            guard let current = latest.object else { throw APIError.notFound(Self.podsResource, name) }
            var pod = current.object
            let uid = pod[path: "metadata", "uid"]?.stringValue ?? ""
            if !wantedUID.isEmpty, wantedUID != uid {
                throw APIError.conflict(Self.podsResource, name, "Precondition failed: UID in precondition: \(wantedUID), UID in object meta: \(uid)")
            }
            if !wantedVersion.isEmpty, wantedVersion != String(current.revision) {
                throw APIError.conflict(Self.podsResource, name, APIError.modifiedSinceRead)
            }
            if pod[path: "metadata", "deletionTimestamp"] != nil {
                throw APIError.conflict(Self.bindingResource, name, "pod \(name) is being deleted, cannot be assigned to a host")
            }
            let assigned = pod[path: "spec", "nodeName"]?.stringValue ?? ""
            if !assigned.isEmpty {
                throw APIError.conflict(Self.bindingResource, name, "pod \(name) is already assigned to node \"\(assigned)\"")
            }
            if !(pod[path: "spec", "schedulingGates"]?.arrayValue ?? []).isEmpty {
                throw APIError.conflict(Self.bindingResource, name, "pod \(name) has non-empty .spec.schedulingGates")
            }
            pod[path: "spec", "nodeName"] = .string(target)
            if !annotations.isEmpty {
                var merged = pod[path: "metadata", "annotations"]?.objectValue ?? [:]
                for (k, v) in annotations { merged[k] = v }
                pod[path: "metadata", "annotations"] = .object(merged)
            }
            pod[path: "status", "conditions"] = .array(Self.settingCondition(
                pod[path: "status", "conditions"]?.arrayValue ?? [], type: "PodScheduled", status: "True", now: pods.now()))
            if options.dryRun { break }
            do {
                _ = try pods.storage.update(storageKey, expectedRevision: current.revision, pod)
                break
            } catch {
                if case .conflict = error { continue }
                throw pods.interpret(error, name: name)
            }
        }
        return ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201]
    }

    /// Upstream's ValidatePodBinding, plus the name check BindingREST makes.
    static func validateBinding(_ binding: JSON, name: String) throws(APIError) -> String {
        guard case .object = binding else { throw APIError.badRequest("Binding in version \"v1\" cannot be handled: body is not an object") }
        if let apiVersion = binding["apiVersion"]?.stringValue, !apiVersion.isEmpty, apiVersion != "v1" {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (v1)")
        }
        if let kind = binding["kind"]?.stringValue, !kind.isEmpty, kind != "Binding" {
            throw APIError.badRequest("no kind \"\(kind)\" is registered for version \"v1\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"")
        }
        let bodyName = binding[path: "metadata", "name"]?.stringValue ?? ""
        if !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("name in URL does not match name in Binding object")
        }
        var errors: [FieldError] = []
        let kind = binding[path: "target", "kind"]?.stringValue ?? ""
        if !kind.isEmpty, kind != "Node" {
            errors.append(.notSupported(FieldPath("target.kind"), .string(kind), ["Node", "<empty>"]))
        }
        let target = binding[path: "target", "name"]?.stringValue ?? ""
        if target.isEmpty { errors.append(.required(FieldPath("target.name"))) }
        if !errors.isEmpty { throw APIError.invalid(GroupKind(group: "", kind: "Binding"), name, errors) }
        return target
    }

    /// Upstream's UpdatePodCondition for a condition without reason or message: the transition time
    /// moves only when the status changes.
    static func settingCondition(_ conditions: [JSON], type: String, status: String, now: String) -> [JSON] {
        var result = conditions
        var condition: JSON = ["type": .string(type), "status": .string(status), "lastProbeTime": nil, "lastTransitionTime": .string(now)]
        if let i = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
            if conditions[i]["status"]?.stringValue == status { condition["lastTransitionTime"] = conditions[i]["lastTransitionTime"] ?? .string(now) }
            result[i] = condition
        } else {
            result.append(condition)
        }
        return result
    }
}
