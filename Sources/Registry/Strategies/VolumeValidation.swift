import APIMachinery

/// Upstream ValidateVolumes / validateVolumeSource for pod volumes, and the source checks that
/// persistent volumes share.
enum VolumeValidation {
    /// Pod volume source members, in the order upstream's validateVolumeSource visits them.
    static let podSourceTypes = [
        "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi",
        "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs", "quobyte", "downwardAPI", "fc",
        "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk", "csi", "configMap",
        "projected", "scaleIO", "storageos", "ephemeral", "image",
    ]
    static let hostPathTypes = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"]

    /// Validates `spec.volumes` and returns the names of the valid ones, which mounts may reference.
    static func validateVolumes(_ volumes: [JSON], _ path: FieldPath) -> (names: Set<String>, errors: [FieldError]) {
        var errs: [FieldError] = []
        var names = Set<String>()
        for (i, volume) in volumes.enumerated() {
            let p = path.index(i)
            var el = validateSources(volume, p, types: podSourceTypes)
            let name = volume.string("name")
            if name.isEmpty {
                el.append(.required(p.child("name"), ""))
            } else {
                el += FieldValidation.dns1123Label(name, p.child("name"))
            }
            if names.contains(name) { el.append(.duplicate(p.child("name"), .string(name))) }
            if el.isEmpty { names.insert(name) } else { errs += el }
        }
        return (names, errs)
    }

    /// Exactly one of `types` must be present; each present one is checked.
    static func validateSources(_ source: JSON, _ path: FieldPath, types: [String]) -> [FieldError] {
        var errs: [FieldError] = []
        var count = 0
        for type in types {
            guard let value = source[type], value != .null else { continue }
            if count > 0 {
                errs.append(.forbidden(path.child(type), "may not specify more than 1 volume type"))
                continue
            }
            count += 1
            errs += validateSource(type, value, path.child(type))
        }
        if count == 0 { errs.append(.required(path, "must specify a volume type")) }
        return errs
    }

    static func validateSource(_ type: String, _ s: JSON, _ p: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        switch type {
        case "emptyDir":
            if let limit = s["sizeLimit"], let q = FieldValidation.quantity(limit, p.child("sizeLimit"), errors: &errs), q.isNegative {
                errs.append(.forbidden(p.child("sizeLimit"), "SizeLimit field must be a valid resource quantity"))
            }
        case "hostPath":
            let hostPath = s.string("path")
            if hostPath.isEmpty { errs.append(.required(p.child("path"), "")) }
            if hostPath.split(separator: "/").contains("..") {
                errs.append(.invalid(p.child("path"), hostPath, "must not contain '..'"))
            }
            if let t = s["type"], let ts = t.stringValue, !hostPathTypes.contains(ts) {
                errs.append(.notSupported(p.child("type"), t, hostPathTypes))
            }
        case "secret":
            if s.string("secretName").isEmpty { errs.append(.required(p.child("secretName"), "")) }
            errs += FieldValidation.fileMode(s["defaultMode"], p.child("defaultMode"))
            errs += validateItems(s.array("items"), p.child("items"))
        case "configMap":
            if s.string("name").isEmpty { errs.append(.required(p.child("name"), "")) }
            errs += FieldValidation.fileMode(s["defaultMode"], p.child("defaultMode"))
            errs += validateItems(s.array("items"), p.child("items"))
        case "persistentVolumeClaim":
            if s.string("claimName").isEmpty { errs.append(.required(p.child("claimName"), "")) }
        case "nfs":
            if s.string("server").isEmpty { errs.append(.required(p.child("server"), "")) }
            let nfsPath = s.string("path")
            if nfsPath.isEmpty {
                errs.append(.required(p.child("path"), ""))
            } else if !nfsPath.hasPrefix("/") {
                errs.append(.invalid(p.child("path"), nfsPath, "must be an absolute path"))
            }
        case "csi":
            if s.string("driver").isEmpty { errs.append(.required(p.child("driver"), "")) }
        case "local":
            if s.string("path").isEmpty { errs.append(.required(p.child("path"), "")) }
        case "downwardAPI", "projected":
            errs += FieldValidation.fileMode(s["defaultMode"], p.child("defaultMode"))
        case "ephemeral":
            if let template = s["volumeClaimTemplate"], template.objectValue != nil {
                errs += PersistentVolumeClaimValidation.validateSpec(template["spec"] ?? [:], p.child("volumeClaimTemplate").child("spec"))
            } else {
                errs.append(.required(p.child("volumeClaimTemplate"), ""))
            }
        default:
            break
        }
        return errs
    }

    /// Upstream validateKeyToPath for configMap and secret items.
    static func validateItems(_ items: [JSON], _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, item) in items.enumerated() {
            let p = path.index(i)
            if item.string("key").isEmpty { errs.append(.required(p.child("key"), "")) }
            let itemPath = item.string("path")
            if itemPath.isEmpty { errs.append(.required(p.child("path"), "")) }
            errs += ContainerValidation.localDescendingPath(itemPath, p.child("path"))
            if itemPath.hasPrefix("..") { errs.append(.invalid(p.child("path"), itemPath, "must not start with '..'")) }
            errs += FieldValidation.fileMode(item["mode"], p.child("mode"))
        }
        return errs
    }
}
