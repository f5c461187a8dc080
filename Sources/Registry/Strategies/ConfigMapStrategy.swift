import APIMachinery

/// ConfigMaps (pkg/registry/core/configmap/strategy.go, ValidateConfigMap / ...Update).
public struct ConfigMapStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.configMaps }
    /// core.MaxSecretSize, shared by ConfigMaps and Secrets.
    static let maxSize = 1 * 1024 * 1024
    static let immutableMsg = "field is immutable when `immutable` is set"

    public func validate(_ object: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        var total = 0
        let binary = object["binaryData"]?.objectValue ?? [:]
        for (key, value) in object["data"]?.objectValue ?? [:] {
            let p = FieldPath("data").key(key)
            errs += NameValidation.isConfigMapKey(key).map { .invalid(p, key, $0) }
            if binary[key] != nil { errs.append(.invalid(p, key, "duplicate of key present in binaryData")) }
            total += value.stringValue?.utf8.count ?? 0
        }
        for (key, value) in binary {
            errs += NameValidation.isConfigMapKey(key).map { .invalid(FieldPath("binaryData").key(key), key, $0) }
            total += Self.decodedLength(value.stringValue ?? "")
        }
        if total > Self.maxSize { errs.append(.tooLong(FieldPath(""), Self.maxSize)) }
        return errs
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        if old["immutable"]?.boolValue == true {
            if object["immutable"]?.boolValue != true { errs.append(.forbidden(FieldPath("immutable"), Self.immutableMsg)) }
            for key in ["data", "binaryData"] where FieldValidation.normalized(object[key]) != FieldValidation.normalized(old[key]) {
                errs.append(.forbidden(FieldPath(key), Self.immutableMsg))
            }
        }
        return errs + validate(object)
    }

    /// The byte length of base64 text once decoded (binaryData and Secret data travel as base64).
    static func decodedLength(_ base64: String) -> Int {
        let count = base64.utf8.count
        let padding = base64.hasSuffix("==") ? 2 : (base64.hasSuffix("=") ? 1 : 0)
        return count / 4 * 3 - padding
    }
}
