import Storage

/// One provider of an `EncryptionConfiguration` resource entry, as k8s.io/apiserver's prefix
/// transformers: values it writes start with its prefix (`k8s:enc:aescbc:v1:key1:`), which is how a
/// read finds the provider that can decrypt them.
protocol EncryptionProvider: Sendable {
    /// What every value this provider writes starts with; empty for identity.
    var prefix: [UInt8] { get }
    /// The value to store: prefix, then the sealed bytes. `context` is the storage key's path,
    /// authenticated (not encrypted) by the providers that take additional data (aesgcm).
    func seal(_ plaintext: [UInt8], context: [UInt8]) throws(StorageTransformError) -> [UInt8]
    /// The plaintext of `sealed` (the value without the prefix).
    func open(_ sealed: ArraySlice<UInt8>, context: [UInt8]) throws(StorageTransformError) -> [UInt8]
}

/// Stores values as they are. Listed after an encrypting provider it reads what was written before
/// encryption was turned on; listed first it writes plaintext (how encryption is turned off).
struct IdentityProvider: EncryptionProvider {
    var prefix: [UInt8] { [] }

    func seal(_ plaintext: [UInt8], context: [UInt8]) throws(StorageTransformError) -> [UInt8] { plaintext }

    func open(_ sealed: ArraySlice<UInt8>, context: [UInt8]) throws(StorageTransformError) -> [UInt8] {
        // Upstream's identity "encrypt check" transformer: encrypted data never passes as plaintext.
        if sealed.starts(with: EncryptionPrefix.any) {
            throw StorageTransformError("identity transformer tried to read encrypted data")
        }
        return Array(sealed)
    }
}

enum EncryptionPrefix {
    /// Every encrypting provider's prefix starts so.
    static let any = Array("k8s:enc:".utf8)

    static func of(_ provider: String, key: String) -> [UInt8] {
        Array("k8s:enc:\(provider):v1:\(key):".utf8)
    }
}
