import APIMachinery
import Foundation

/// Secrets (pkg/registry/core/secret/strategy.go, SetDefaults_Secret, the v1 conversion that
/// folds `stringData` into `data`, ValidateSecret / ...Update).
public struct SecretStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.secrets }

    public func applyDefaults(_ object: inout JSON) {
        object.setDefaultString("type", "Opaque")
        if let stringData = object["stringData"]?.objectValue {
            var data = object["data"]?.objectValue ?? [:]
            for (key, value) in stringData {
                data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
            }
            object["data"] = .object(data)
            object["stringData"] = nil
        }
    }

    public func validate(_ object: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        let dataPath = FieldPath("data")
        let data = object["data"]?.objectValue ?? [:]
        var total = 0
        for (key, value) in data {
            errs += NameValidation.isConfigMapKey(key).map { .invalid(dataPath.key(key), key, $0) }
            total += ConfigMapStrategy.decodedLength(value.stringValue ?? "")
        }
        if total > ConfigMapStrategy.maxSize { errs.append(.tooLong(dataPath, ConfigMapStrategy.maxSize)) }
        switch object.string("type") {
        case "kubernetes.io/service-account-token":
            if (object[path: "metadata", "annotations", "kubernetes.io/service-account.name"]?.stringValue ?? "").isEmpty {
                errs.append(.required(FieldPath("metadata.annotations").key("kubernetes.io/service-account.name"), ""))
            }
        case "kubernetes.io/dockercfg":
            errs += requireJSON(".dockercfg", data, dataPath)
        case "kubernetes.io/dockerconfigjson":
            errs += requireJSON(".dockerconfigjson", data, dataPath)
        case "kubernetes.io/basic-auth":
            if data["username"] == nil && data["password"] == nil {
                errs.append(.required(dataPath.key("username"), ""))
                errs.append(.required(dataPath.key("password"), ""))
            }
        case "kubernetes.io/ssh-auth":
            if (data["ssh-privatekey"]?.stringValue ?? "").isEmpty { errs.append(.required(dataPath.key("ssh-privatekey"), "")) }
        case "kubernetes.io/tls":
            if data["tls.crt"] == nil { errs.append(.required(dataPath.key("tls.crt"), "")) }
            if data["tls.key"] == nil { errs.append(.required(dataPath.key("tls.key"), "")) }
        default:
            break
        }
        return errs
    }

    private func requireJSON(_ key: String, _ data: JSONObject, _ dataPath: FieldPath) -> [FieldError] {
        guard let encoded = data[key]?.stringValue else { return [.required(dataPath.key(key), "")] }
        guard let bytes = Data(base64Encoded: encoded), (try? JSONParser.parse(Array(bytes)))?.value.objectValue != nil else {
            return [.invalid(dataPath.key(key), "<secret contents redacted>", "invalid character looking for beginning of value")]
        }
        return []
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        var errs = FieldValidation.immutable(object["type"], old["type"], FieldPath("type"))
        if old["immutable"]?.boolValue == true {
            if object["immutable"]?.boolValue != true {
                errs.append(.forbidden(FieldPath("immutable"), ConfigMapStrategy.immutableMsg))
            }
            if FieldValidation.normalized(object["data"]) != FieldValidation.normalized(old["data"]) {
                errs.append(.forbidden(FieldPath("data"), ConfigMapStrategy.immutableMsg))
            }
        }
        return errs + validate(object)
    }
}
