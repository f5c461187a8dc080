import APIMachinery
import Storage

extension ResourceStore {
    /// The field manager of a write through `subresource` ("" for the resource itself). An applier
    /// cannot own what the write path resets: a resource with a status subresource keeps its status
    /// out of the main resource's applies, and the status subresource everything but status.
    /// Updates are recorded from the prepared object, where the reset already happened.
    func fieldManager(subresource: String, applying: Bool = true) -> FieldManager {
        let resetFields: FieldFilter
        switch subresource {
        case "": resetFields = resource.subresources.contains("status") ? .excluding(["status"]) : .none
        case "status": resetFields = applying ? .only(["status"]) : .none
        default: resetFields = .none
        }
        return FieldManager(types: TypedSchema(schema: fieldTypeSchema(), kind: resource.gvk), apiVersion: resource.gvk.apiVersion,
                            kind: resource.gvk.kind, subresource: subresource, resetFields: resetFields)
    }

    /// Server-side apply (`application/apply-patch+yaml`): the configuration is merged into the live
    /// object by the field manager, conflicts with other managers fail the request unless forced,
    /// and an object that does not exist is created from the configuration, as upstream's
    /// applyPatcher does. An apply that changes nothing stores nothing.
    func apply(namespace: String?, name: String, config: RequestBody, options: WriteOptions, scope: UpdateScope,
               subresource: String) throws(APIError) -> WriteResult {
        guard case .object = config.value else {
            throw APIError.badRequest("error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal \(config.value.typeName) into Go value of type map[string]interface {}")
        }
        let apiVersion = config.value["apiVersion"]?.stringValue ?? ""
        let kind = config.value["kind"]?.stringValue ?? ""
        if apiVersion != resource.gvk.apiVersion || kind != resource.gvk.kind {
            throw APIError.badRequest("invalid object type: \(apiVersion.contains("/") ? apiVersion : "/" + apiVersion), Kind=\(kind)")
        }
        if let managed = config.value[path: "metadata", "managedFields"], !managed.isNull {
            throw APIError.badRequest("metadata.managedFields must be nil")
        }
        let configName = config.value[path: "metadata", "name"]?.stringValue ?? ""
        if configName != name {
            throw APIError.badRequest("the name of the object (\(configName)) does not match the name on the URL (\(name))")
        }
        let manager = fieldManager(subresource: subresource)
        let managerName = options.fieldManager ?? ""
        var warnings: [String] = []
        do {
            let result = try replace(namespace: namespace, name: name, options: options, scope: scope, subresource: subresource,
                                     recordsUpdate: false, rebasesOnConflict: true) {
                (current: StoredObject) throws(APIError) -> JSON in
                switch try manager.apply(live: current.object, config: config.value, manager: managerName, force: options.force, now: now()) {
                case .unchanged(let object):
                    return object
                case .applied(let merged):
                    let decoded = try decode(RequestBody(value: merged, duplicateFields: config.duplicateFields), options: options)
                    warnings = decoded.warnings
                    var object = decoded.object
                    try checkNamespace(&object, urlNamespace: namespace)
                    return object
                }
            }
            return WriteResult(object: result.object, bytes: result.bytes, warnings: warnings)
        } catch where error.code == 404 && error.details?.name == name && error.details?.kind == resource.plural && subresource.isEmpty {
            // Create-on-apply: the configuration applied to an empty object.
            var empty = manager.types.zeroObject()
            empty["apiVersion"] = .string(resource.gvk.apiVersion)
            empty["kind"] = .string(resource.gvk.kind)
            empty[path: "metadata", "name"] = .string(name)
            guard case .applied(let merged) = try manager.apply(live: empty, config: config.value, manager: managerName,
                                                                force: options.force, now: now()) else {
                throw error
            }
            let decoded = try decode(RequestBody(value: merged, duplicateFields: config.duplicateFields), options: options)
            var result = try create(namespace: namespace, decoded: decoded.object, warnings: decoded.warnings, options: options, recordsUpdate: false)
            result.created = true
            return result
        }
    }
}
