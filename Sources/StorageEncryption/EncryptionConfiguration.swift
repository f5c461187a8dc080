import APIMachinery
import Foundation
import Storage

/// `--encryption-provider-config`: an `apiserver.config.k8s.io/v1` `EncryptionConfiguration` (YAML or
/// JSON), read once at start. Each entry lists resources (`secrets`, `deployments.apps`, `*.apps`,
/// `*.` for the core group, `*.*`) and the providers for them in order: the first writes, every one
/// reads what it recognises.
public struct EncryptionConfiguration: Sendable {
    struct Entry: Sendable {
        let resources: [String]
        let providers: [any EncryptionProvider]
    }

    let entries: [Entry]

    /// Reads and validates the file at `path`; errors name the field as upstream's validation does.
    public static func load(path: String) throws(EncryptionConfigurationError) -> EncryptionConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EncryptionConfigurationError("error reading encryption provider configuration file \"\(path)\": cannot read it")
        }
        return try parse(Array(data))
    }

    static func parse(_ bytes: [UInt8]) throws(EncryptionConfigurationError) -> EncryptionConfiguration {
        let document: JSON
        do {
            document = try YAMLCodec.decode(bytes).value
        } catch {
            throw EncryptionConfigurationError("error decoding encryption provider configuration file: \(error.message)")
        }
        guard document["kind"]?.stringValue == "EncryptionConfiguration",
              document["apiVersion"]?.stringValue == "apiserver.config.k8s.io/v1" else {
            throw EncryptionConfigurationError(
                "error decoding encryption provider configuration file: want kind EncryptionConfiguration, apiVersion apiserver.config.k8s.io/v1")
        }
        guard let resources = document["resources"]?.arrayValue, !resources.isEmpty else {
            throw EncryptionConfigurationError("resources: Required value: EncryptionConfiguration.Resources must contain at least one resource")
        }
        var entries: [Entry] = []
        for (index, entry) in resources.enumerated() {
            entries.append(try parseEntry(entry, path: "resources[\(index)]"))
        }
        return EncryptionConfiguration(entries: entries)
    }

    private static func parseEntry(_ entry: JSON, path: String) throws(EncryptionConfigurationError) -> Entry {
        let names = (entry["resources"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard !names.isEmpty else {
            throw EncryptionConfigurationError("\(path).resources: Required value: resources must contain at least one resource")
        }
        guard let providers = entry["providers"]?.arrayValue, !providers.isEmpty else {
            throw EncryptionConfigurationError("\(path).providers: Required value: providers must contain at least one provider")
        }
        var parsed: [any EncryptionProvider] = []
        for (index, provider) in providers.enumerated() {
            parsed += try parseProvider(provider, path: "\(path).providers[\(index)]")
        }
        return Entry(resources: names, providers: parsed)
    }

    /// One provider object: exactly one of aescbc, aesgcm, secretbox, identity (kms needs a plugin
    /// Kubelite does not run, so it is refused rather than ignored).
    private static func parseProvider(_ provider: JSON, path: String) throws(EncryptionConfigurationError) -> [any EncryptionProvider] {
        let kinds = (provider.objectValue?.keys.map { $0 } ?? []).filter { ["aescbc", "aesgcm", "secretbox", "identity", "kms"].contains($0) }
        guard kinds.count == 1, let kind = kinds.first else {
            throw EncryptionConfigurationError("\(path): Invalid value: \"\(kinds.joined(separator: ","))\": more than one provider specified in a single element, should split into different list elements")
        }
        switch kind {
        case "identity":
            return [IdentityProvider()]
        case "kms":
            throw EncryptionConfigurationError("\(path).kms: Unsupported value: KMS providers need a KMS plugin, which Kubelite does not run; use aescbc, aesgcm or secretbox")
        default:
            let keys = provider[kind]?["keys"]?.arrayValue ?? []
            guard !keys.isEmpty else {
                throw EncryptionConfigurationError("\(path).\(kind).keys: Required value: keys must contain at least one key")
            }
            let sizes = kind == "secretbox" ? [32] : [16, 24, 32]
            var seen: Set<String> = []
            var made: [any EncryptionProvider] = []
            for (index, key) in keys.enumerated() {
                let keyPath = "\(path).\(kind).keys[\(index)]"
                guard let name = key["name"]?.stringValue, !name.isEmpty else {
                    throw EncryptionConfigurationError("\(keyPath).name: Required value: key name is required")
                }
                guard !name.contains(":") else {
                    throw EncryptionConfigurationError("\(keyPath).name: Invalid value: \"\(name)\": key name must not contain \":\"")
                }
                guard seen.insert(name).inserted else {
                    throw EncryptionConfigurationError("\(keyPath).name: Duplicate value: \"\(name)\"")
                }
                guard let encoded = key["secret"]?.stringValue, !encoded.isEmpty else {
                    throw EncryptionConfigurationError("\(keyPath).secret: Required value: secret is required")
                }
                guard let secret = Data(base64Encoded: encoded).map(Array.init), sizes.contains(secret.count) else {
                    throw EncryptionConfigurationError(
                        "\(keyPath).secret: Invalid value: \"REDACTED\": secret is not of the expected length, got \(Data(base64Encoded: encoded)?.count ?? 0), expected one of \(sizes)")
                }
                switch kind {
                case "aescbc": made.append(AESCBCProvider(name: name, secret: secret))
                case "aesgcm": made.append(AESGCMProvider(name: name, secret: secret))
                default: made.append(SecretboxProvider(name: name, secret: secret))
                }
            }
            return made
        }
    }
}

/// A configuration Kubelite cannot start with: the message says which field and why.
public struct EncryptionConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
