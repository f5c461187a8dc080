import Storage

/// Encryption at rest as a storage transformer: a key's resource picks the first configuration entry
/// naming it; its first provider seals what is written, and a read is opened by the provider whose
/// prefix the value starts with (identity takes what is not encrypted). Resources no entry names are
/// stored as they are.
public struct ResourceEncryption: StorageValueTransformer {
    let configuration: EncryptionConfiguration

    public init(_ configuration: EncryptionConfiguration) { self.configuration = configuration }

    public func toStorage(_ plaintext: [UInt8], key: StorageKey) throws(StorageTransformError) -> [UInt8] {
        guard let writer = providers(for: key.resource)?.first else { return plaintext }
        return try writer.seal(plaintext, context: Array(key.description.utf8))
    }

    public func fromStorage(_ stored: [UInt8], key: StorageKey) throws(StorageTransformError) -> [UInt8] {
        guard let providers = providers(for: key.resource) else { return stored }
        var identityError: StorageTransformError?
        for provider in providers {
            if provider.prefix.isEmpty {
                do {
                    return try provider.open(stored[...], context: [])
                } catch {
                    identityError = error
                    continue
                }
            }
            if stored.starts(with: provider.prefix) {
                return try provider.open(stored[provider.prefix.count...], context: Array(key.description.utf8))
            }
        }
        throw identityError ?? StorageTransformError("no matching prefix found")
    }

    /// The providers for `resource` (`secrets`, `deployments.apps`): the first entry naming it
    /// exactly, by its group's wildcard (`*.apps`, `*.` for the core group) or by `*.*`.
    func providers(for resource: String) -> [any EncryptionProvider]? {
        let group = resource.firstIndex(of: ".").map { String(resource[resource.index(after: $0)...]) } ?? ""
        for entry in configuration.entries {
            for name in entry.resources {
                if name == resource || name == "*.*" || name == "*.\(group)" { return entry.providers }
            }
        }
        return nil
    }
}
