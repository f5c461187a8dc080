import APIMachinery
import Storage

/// The `scale` subresource (upstream's ScaleREST): an autoscaling/v1 Scale view of a workload,
/// served for StatefulSets as upstream does. A write changes only the parent's spec.replicas,
/// through the parent's update path (its validation, generation and conflicts).
public struct ScaleStore: Sendable {
    static let scaleKind = GroupKind(group: "autoscaling", kind: "Scale")
    /// The parent resource's store.
    public let store: ResourceStore

    public init(store: ResourceStore) { self.store = store }

    public func get(namespace: String?, name: String) throws(APIError) -> JSON {
        try scale(of: store.get(namespace: namespace, name: name).object)
    }

    /// A custom resource's scale paths (from its CRD), nil for built-in kinds.
    var customScale: CustomResourceDefinitionView.Scale? { (store.strategy as? CustomResourceStrategy)?.scale }

    func scale(of object: JSON) -> JSON {
        if let custom = customScale { return Self.scale(of: object, custom) }
        var metadata = JSONObject()
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            metadata[field] = object[path: "metadata", field]
        }
        var status: JSONObject = ["replicas": object[path: "status", "replicas"] ?? 0]
        // A core/v1 ReplicationController's selector is a plain map, the apps/v1 kinds' a LabelSelector.
        let specSelector = object[path: "spec", "selector"]
        let selector = (object["kind"]?.stringValue == "ReplicationController"
                        ? LabelSelector(set: specSelector) : LabelSelector(json: specSelector)).queryString
        if !selector.isEmpty { status["selector"] = .string(selector) }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(metadata),
            "spec": ["replicas": object[path: "spec", "replicas"] ?? 1],
            "status": .object(status),
        ]
    }

    /// PUT on scale: only spec.replicas of the parent changes; the Scale's resourceVersion, if set,
    /// must match the parent's.
    public func update(namespace: String?, name: String, body: JSON, options: WriteOptions) throws(APIError) -> JSON {
        guard case .object = body else { throw APIError.badRequest("Scale in version \"v1\" cannot be handled: body is not an object") }
        if let apiVersion = body["apiVersion"]?.stringValue, !apiVersion.isEmpty, apiVersion != "autoscaling/v1" {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (autoscaling/v1)")
        }
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != "Scale" {
            throw APIError.badRequest("\(kind) in version \"v1\" cannot be handled as a Scale")
        }
        let bodyName = body[path: "metadata", "name"]?.stringValue ?? ""
        if !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let replicasValue = body[path: "spec", "replicas"] ?? 0
        guard let replicas = replicasValue.intValue, replicas <= Int64(Int32.max) else {
            throw APIError.badRequest("json: cannot unmarshal \(replicasValue.typeName) into Go struct field ScaleSpec.spec.replicas of type int32")
        }
        if replicas < 0 {
            throw APIError.invalid(Self.scaleKind, name, [.invalid(FieldPath("spec.replicas"), .int(replicas), "must be greater than or equal to 0")])
        }
        let requestedVersion = body[path: "metadata", "resourceVersion"]?.stringValue ?? ""
        let specPath = customScale.map { Self.fields($0.specReplicasPath) } ?? ["spec", "replicas"]
        let result = try store.replace(namespace: namespace, name: name, options: options, subresource: "scale") { (current: StoredObject) throws(APIError) -> JSON in
            var object = current.object
            Self.set(&object, specPath, .int(replicas))
            object[path: "metadata", "resourceVersion"] = requestedVersion.isEmpty ? nil : .string(requestedVersion)
            return object
        }
        return scale(of: result.object)
    }

    public func patch(namespace: String?, name: String, type: PatchType, patch: RequestBody, options: WriteOptions) throws(APIError) -> JSON {
        let current = try get(namespace: namespace, name: name)
        var patched: JSON
        switch type {
        case .json: patched = try JSONPatch.apply(patch.value, to: current)
        case .merge, .strategic: patched = JSONMergePatch.apply(patch.value, to: current)
        case .apply: throw APIError.unsupportedMediaType(type.rawValue, accepted: [])
        }
        // A patch that does not pin a resourceVersion applies to whatever version is current.
        if patch.value[path: "metadata", "resourceVersion"] == nil { patched[path: "metadata", "resourceVersion"] = nil }
        return try update(namespace: namespace, name: name, body: patched, options: options)
    }

    /// A custom resource's Scale (upstream's customresource scale REST): replicas read from the
    /// CRD's specReplicasPath and statusReplicasPath (0 when absent), the selector from its
    /// labelSelectorPath.
    static func scale(of object: JSON, _ paths: CustomResourceDefinitionView.Scale) -> JSON {
        var metadata = JSONObject()
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            metadata[field] = object[path: "metadata", field]
        }
        func value(_ path: String) -> JSON? { get(object, fields(path)) }
        var status: JSONObject = ["replicas": value(paths.statusReplicasPath).flatMap { $0.intValue.map(JSON.int) } ?? 0]
        if let selectorPath = paths.labelSelectorPath, let selector = value(selectorPath)?.stringValue, !selector.isEmpty {
            status["selector"] = .string(selector)
        }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(metadata),
            "spec": ["replicas": value(paths.specReplicasPath).flatMap { $0.intValue.map(JSON.int) } ?? 0],
            "status": .object(status),
        ]
    }

    /// `.spec.replicas` → ["spec", "replicas"] (the CRD validation allows only such dotted paths).
    static func fields(_ path: String) -> [String] { path.split(separator: ".").map(String.init) }

    static func get(_ object: JSON, _ fields: [String]) -> JSON? {
        var current: JSON? = object
        for field in fields { current = current?[field] }
        return current
    }

    /// Sets a nested field, making the objects on the way (unstructured.SetNestedField).
    static func set(_ object: inout JSON, _ fields: [String], _ value: JSON) {
        guard let first = fields.first else { object = value; return }
        var child = object[first] ?? .object([:])
        if child.objectValue == nil, fields.count > 1 { child = .object([:]) }
        set(&child, Array(fields.dropFirst()), value)
        object[first] = child
    }
}
