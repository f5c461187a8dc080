import APIMachinery

// Per-kind traits of the generic store, as upstream's registries set them:
// - the field labels each kind supports in `fieldSelector` (ToSelectableFields /
//   AddFieldLabelConversionFunc); kinds not listed support only metadata.name and metadata.namespace;
// - whether DELETE answers with the deleted object (ReturnDeletedObject) instead of a Status.

private func string(_ object: JSON, _ path: String...) -> String {
    var current: JSON? = object
    for key in path { current = current?[key] }
    switch current {
    case .string(let s): return s
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    default: return ""
    }
}

extension PodStrategy {
    public func selectableFields(_ object: JSON) -> [String: String] {
        var fields = Self.metadataFields(object)
        fields["spec.nodeName"] = string(object, "spec", "nodeName")
        fields["spec.restartPolicy"] = string(object, "spec", "restartPolicy")
        fields["spec.schedulerName"] = string(object, "spec", "schedulerName")
        fields["spec.serviceAccountName"] = string(object, "spec", "serviceAccountName")
        // upstream renders the boolean with strconv.FormatBool; unset is false.
        fields["spec.hostNetwork"] = object[path: "spec", "hostNetwork"]?.boolValue == true ? "true" : "false"
        fields["status.phase"] = string(object, "status", "phase")
        fields["status.podIP"] = string(object, "status", "podIP")
        fields["status.nominatedNodeName"] = string(object, "status", "nominatedNodeName")
        return fields
    }

    /// Deleting a pod answers with the pod, as upstream's pod storage does.
    public var returnsDeletedObject: Bool { true }
}

extension EventStrategy {
    public func selectableFields(_ object: JSON) -> [String: String] {
        var fields = Self.metadataFields(object)
        for key in ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"] {
            fields["involvedObject.\(key)"] = string(object, "involvedObject", key)
        }
        fields["reason"] = string(object, "reason")
        fields["reportingComponent"] = string(object, "reportingComponent")
        fields["source"] = string(object, "source", "component")
        fields["type"] = string(object, "type")
        return fields
    }
}

extension NodeStrategy {
    public func selectableFields(_ object: JSON) -> [String: String] {
        var fields = Self.metadataFields(object)
        fields["spec.unschedulable"] = object[path: "spec", "unschedulable"]?.boolValue == true ? "true" : "false"
        return fields
    }
}

extension NamespaceStrategy {
    public func selectableFields(_ object: JSON) -> [String: String] {
        var fields = Self.metadataFields(object)
        fields["status.phase"] = string(object, "status", "phase")
        return fields
    }
}

extension SecretStrategy {
    public func selectableFields(_ object: JSON) -> [String: String] {
        var fields = Self.metadataFields(object)
        fields["type"] = string(object, "type")
        return fields
    }
}

extension ServiceStrategy {
    public func selectableFields(_ object: JSON) -> [String: String] {
        var fields = Self.metadataFields(object)
        fields["spec.clusterIP"] = string(object, "spec", "clusterIP")
        fields["spec.type"] = string(object, "spec", "type")
        return fields
    }

    /// Deleting a service answers with the service, as upstream's service storage does.
    public var returnsDeletedObject: Bool { true }
}

extension PersistentVolumeClaimStrategy {
    public var returnsDeletedObject: Bool { true }
}

extension PersistentVolumeStrategy {
    public var returnsDeletedObject: Bool { true }
}

extension StorageClassStrategy {
    public var returnsDeletedObject: Bool { true }
}
