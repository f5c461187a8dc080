import APIMachinery

/// Upstream ValidatePersistentVolumeClaimSpec and ValidatePersistentVolumeClaimUpdate, shared by
/// claims, StatefulSet claim templates and ephemeral volumes.
enum PersistentVolumeClaimValidation {
    static let accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
    static let volumeModes = ["Block", "Filesystem"]
    static let isNotPositiveErrorMsg = "must be greater than zero"
    static let immutableSpecMsg =
        "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"

    static func validateSpec(_ spec: JSON, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        let modes = spec.array("accessModes")
        errs += validateAccessModes(modes, path.child("accessModes"), requiredDetail: "at least 1 access mode is required")
        if let selector = spec["selector"], selector != .null {
            errs += LabelSelector.validate(selector, path: path.child("selector"))
        }
        let storagePath = path.child("resources").key("storage")
        if let storage = spec[path: "resources", "requests", "storage"], storage != .null {
            if let q = FieldValidation.quantity(storage, storagePath, errors: &errs) {
                if q.isNegative || q.isZero {
                    errs.append(.invalid(storagePath, q.canonical, isNotPositiveErrorMsg))
                }
            }
        } else {
            errs.append(.required(storagePath, ""))
        }
        let className = spec.string("storageClassName")
        if !className.isEmpty {
            errs += NameValidation.isDNS1123Subdomain(className).map { .invalid(path.child("storageClassName"), className, $0) }
        }
        if let mode = spec["volumeMode"], mode != .null, !volumeModes.contains(mode.stringValue ?? "") {
            errs.append(.notSupported(path.child("volumeMode"), mode, volumeModes))
        }
        return errs
    }

    /// Shared by claims and volumes: at least one mode, each supported, ReadWriteOncePod alone.
    static func validateAccessModes(_ modes: [JSON], _ path: FieldPath, requiredDetail: String) -> [FieldError] {
        var errs: [FieldError] = []
        if modes.isEmpty { errs.append(.required(path, requiredDetail)) }
        var rwop = false, other = false
        for mode in modes {
            let m = mode.stringValue ?? ""
            if !accessModes.contains(m) { errs.append(.notSupported(path, mode, accessModes)) }
            if m == "ReadWriteOncePod" { rwop = true } else { other = true }
        }
        if rwop && other { errs.append(.forbidden(path, "may not use ReadWriteOncePod with other access modes")) }
        return errs
    }

    /// The update rules: only `volumeName` (once), storage requests of a bound claim and
    /// `volumeAttributesClassName` may change; storage may only shrink down to status.capacity.
    static func validateUpdate(_ new: JSON, old: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        var newSpec = new["spec"] ?? [:]
        var oldSpec = old["spec"] ?? [:]
        if oldSpec.string("volumeName").isEmpty { oldSpec["volumeName"] = newSpec["volumeName"] }
        // validateStorageClassUpgradeFromNil: a class may be set once on a claim created without one.
        let oldAnnotation = old[path: "metadata", "annotations", "volume.beta.kubernetes.io/storage-class"]?.stringValue ?? ""
        if oldAnnotation.isEmpty, FieldValidation.normalized(oldSpec["storageClassName"]) == .null,
           !(newSpec["storageClassName"]?.stringValue ?? "").isEmpty {
            newSpec["storageClassName"] = nil
        }
        if new[path: "status", "phase"]?.stringValue == "Bound", newSpec[path: "resources", "requests"] != nil {
            newSpec.setValue(oldSpec[path: "resources", "requests", "storage"], at: ["resources", "requests", "storage"])
        }
        newSpec["volumeAttributesClassName"] = oldSpec["volumeAttributesClassName"]
        if !semanticallyEqual(newSpec, oldSpec) {
            errs.append(.forbidden(FieldPath("spec"), immutableSpecMsg))
        }
        var ignored: [FieldError] = []
        let sizePath = FieldPath("spec.resources.requests.storage")
        if let newSize = FieldValidation.quantity(new[path: "spec", "resources", "requests", "storage"], sizePath, errors: &ignored),
           let oldSize = FieldValidation.quantity(old[path: "spec", "resources", "requests", "storage"], sizePath, errors: &ignored),
           newSize < oldSize {
            let statusSize = FieldValidation.quantity(old[path: "status", "capacity", "storage"], sizePath, errors: &ignored)
            if let statusSize, newSize <= statusSize {
                errs.append(.forbidden(sizePath, "field can not be less than status.capacity"))
            } else if statusSize == nil, newSize.isZero || newSize.isNegative {
                errs.append(.forbidden(sizePath, "field can not be less than status.capacity"))
            }
        }
        errs += FieldValidation.immutable(new[path: "spec", "volumeMode"], old[path: "spec", "volumeMode"], FieldPath("volumeMode"))
        return errs
    }

    /// apiequality.Semantic.DeepEqual for decoded JSON: absent and null members are the same, and
    /// quantities compare by value.
    static func semanticallyEqual(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            let keys = Set(x.keys).union(y.keys)
            return keys.allSatisfy { semanticallyEqual(x[$0] ?? .null, y[$0] ?? .null) }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { semanticallyEqual($0, $1) }
        case (.string(let x), .string(let y)):
            if x == y { return true }
            if let qx = try? Quantity(parsing: x), let qy = try? Quantity(parsing: y) { return qx == qy }
            return false
        default:
            return a == b
        }
    }
}
