/// The Go type names upstream's decoder prints in `json: cannot unmarshal ... of type T` errors
/// (reflect's `Type.String()`: `int32`, `[]v1.Container`, `map[string]string`, `v1.PullPolicy`).
///
/// OpenAPI keeps the JSON shape but not Go's named types, so the named string and map types of
/// the fields clients most often get wrong are listed here; anything else falls back to the
/// underlying type's name, which is what upstream prints for unnamed fields.
enum GoTypeNames {
    /// `io.k8s.api.core.v1.Container` → `v1.Container`: package (the version segment) and type.
    static func definition(_ name: String) -> String {
        let parts = name.split(separator: ".")
        guard parts.count >= 2 else { return name }
        return "\(parts[parts.count - 2]).\(parts[parts.count - 1])"
    }

    /// The Go struct name errors put before the field path: `io.k8s.api.apps.v1.StatefulSetSpec` → `StatefulSetSpec`.
    static func structName(_ definition: String) -> String {
        // Runs for every object a request decodes: a backward scan, no array of pieces.
        guard let dot = definition.utf8.lastIndex(of: UInt8(ascii: ".")) else { return definition }
        return String(definition[definition.utf8.index(after: dot)...])
    }

    /// Go's name for a schema type as a field or element type.
    static func name(of type: SchemaType, in schemas: SchemaSet) -> String {
        switch type {
        case .ref(let name):
            switch schemas.definitions[name] {
            case .string(let format, _) where format == "date-time": return "v1.\(structName(name))"
            default: return definition(name)
            }
        case .object(_, _, let additional?): return "map[string]" + name(of: additional, in: schemas)
        case .object: return "struct"
        case .array(let items): return "[]" + name(of: items, in: schemas)
        case .string(let format, _): return format == "byte" ? "[]uint8" : "string"
        case .integer(let format): return format == "int32" ? "int32" : "int64"
        case .number: return "float64"
        case .boolean: return "bool"
        case .intOrString: return "intstr.IntOrString"
        case .quantity: return "resource.Quantity"
        case .any: return "interface {}"
        }
    }

    /// Named Go types of fields, keyed `<struct>.<json field>`.
    static let fieldTypes: [String: String] = [
        "Container.imagePullPolicy": "v1.PullPolicy",
        "Container.terminationMessagePolicy": "v1.TerminationMessagePolicy",
        "EphemeralContainer.imagePullPolicy": "v1.PullPolicy",
        "ContainerPort.protocol": "v1.Protocol",
        "ServicePort.protocol": "v1.Protocol",
        "EndpointPort.protocol": "v1.Protocol",
        "PodSpec.restartPolicy": "v1.RestartPolicy",
        "PodSpec.dnsPolicy": "v1.DNSPolicy",
        "PodSpec.preemptionPolicy": "v1.PreemptionPolicy",
        "PodSpec.overhead": "v1.ResourceList",
        "ResourceRequirements.limits": "v1.ResourceList",
        "ResourceRequirements.requests": "v1.ResourceList",
        "VolumeResourceRequirements.limits": "v1.ResourceList",
        "VolumeResourceRequirements.requests": "v1.ResourceList",
        "NodeStatus.capacity": "v1.ResourceList",
        "NodeStatus.allocatable": "v1.ResourceList",
        "PersistentVolumeSpec.capacity": "v1.ResourceList",
        "PersistentVolumeClaimStatus.capacity": "v1.ResourceList",
        "PersistentVolumeClaimSpec.accessModes": "[]v1.PersistentVolumeAccessMode",
        "PersistentVolumeClaimSpec.volumeMode": "v1.PersistentVolumeMode",
        "PersistentVolumeSpec.accessModes": "[]v1.PersistentVolumeAccessMode",
        "PersistentVolumeSpec.persistentVolumeReclaimPolicy": "v1.PersistentVolumeReclaimPolicy",
        "PersistentVolumeSpec.volumeMode": "v1.PersistentVolumeMode",
        "ServiceSpec.type": "v1.ServiceType",
        "ServiceSpec.sessionAffinity": "v1.ServiceAffinity",
        "ServiceSpec.externalTrafficPolicy": "v1.ServiceExternalTrafficPolicy",
        "ServiceSpec.internalTrafficPolicy": "v1.ServiceInternalTrafficPolicy",
        "ServiceSpec.ipFamilies": "[]v1.IPFamily",
        "ServiceSpec.ipFamilyPolicy": "v1.IPFamilyPolicy",
        "StatefulSetSpec.podManagementPolicy": "v1.PodManagementPolicyType",
        "StatefulSetUpdateStrategy.type": "v1.StatefulSetUpdateStrategyType",
        "StatefulSetPersistentVolumeClaimRetentionPolicy.whenDeleted": "v1.PersistentVolumeClaimRetentionPolicyType",
        "StatefulSetPersistentVolumeClaimRetentionPolicy.whenScaled": "v1.PersistentVolumeClaimRetentionPolicyType",
        "NamespaceSpec.finalizers": "[]v1.FinalizerName",
        "LabelSelectorRequirement.operator": "v1.LabelSelectorOperator",
        "Toleration.operator": "v1.TolerationOperator",
        "Toleration.effect": "v1.TaintEffect",
        "Taint.effect": "v1.TaintEffect",
        "StorageClass.reclaimPolicy": "v1.PersistentVolumeReclaimPolicy",
        "StorageClass.volumeBindingMode": "v1.VolumeBindingMode",
        "EndpointSlice.addressType": "v1.AddressType",
        "DeleteOptions.propagationPolicy": "v1.DeletionPropagation",
        "Secret.type": "v1.SecretType",
        "ObjectMeta.uid": "types.UID",
        "OwnerReference.uid": "types.UID",
        "PodStatus.phase": "v1.PodPhase",
        "PodStatus.qosClass": "v1.PodQOSClass",
        "NamespaceStatus.phase": "v1.NamespacePhase",
        "PersistentVolumeClaimStatus.phase": "v1.PersistentVolumeClaimPhase",
        "PersistentVolumeStatus.phase": "v1.PersistentVolumePhase",
        "PodCondition.type": "v1.PodConditionType",
        "PodCondition.status": "v1.ConditionStatus",
        "NodeCondition.type": "v1.NodeConditionType",
        "NodeCondition.status": "v1.ConditionStatus",
        "StatefulSetCondition.type": "v1.StatefulSetConditionType",
        "StatefulSetCondition.status": "v1.ConditionStatus",
        "Condition.status": "v1.ConditionStatus",
        "SecurityContext.procMount": "v1.ProcMountType",
        "VolumeMount.mountPropagation": "v1.MountPropagationMode",
        "HostPathVolumeSource.type": "v1.HostPathType",
        "EmptyDirVolumeSource.medium": "v1.StorageMedium",
        "HTTPGetAction.scheme": "v1.URIScheme",
        "Capabilities.add": "[]v1.Capability",
        "Capabilities.drop": "[]v1.Capability",
    ]

    /// `fieldTypes` by struct, then field: looked up for every decoded field, without building a
    /// `<struct>.<field>` string each time.
    static let fieldTypesByStruct: [String: [String: String]] = {
        var byStruct: [String: [String: String]] = [:]
        for (key, type) in fieldTypes {
            let dot = key.firstIndex(of: ".")!
            byStruct[String(key[..<dot]), default: [:]][String(key[key.index(after: dot)...])] = type
        }
        return byStruct
    }()

    /// The named Go type of `field` in `structName`, when it has one.
    static func fieldType(_ structName: String, _ field: String) -> String? {
        fieldTypesByStruct[structName]?[field]
    }

    /// The element type of a named slice or map type, e.g. `[]v1.Capability` → `v1.Capability`.
    static func elementName(of goType: String) -> String? {
        if goType.hasPrefix("[]") { return String(goType.dropFirst(2)) }
        if goType.hasPrefix("map[string]") { return String(goType.dropFirst("map[string]".count)) }
        return nil
    }
}
