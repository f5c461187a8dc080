/// Turns an object's encoded bytes into what is written at rest, and back (k8s.io/apiserver's
/// `value.Transformer`). Encryption at rest is one: only the durable log holds the transformed
/// bytes; memory, watchers and responses keep the plaintext.
public protocol StorageValueTransformer: Sendable {
    /// The bytes to write for `key`'s object. Throws only if the transformation itself fails (a
    /// cipher error); the write is then refused and nothing is stored.
    func toStorage(_ plaintext: [UInt8], key: StorageKey) throws(StorageTransformError) -> [UInt8]
    /// The plaintext of bytes read back for `key`. Throws when no configured transformation
    /// recognises them or they do not authenticate (a wrong key, a tampered value).
    func fromStorage(_ stored: [UInt8], key: StorageKey) throws(StorageTransformError) -> [UInt8]
}

/// Why a value could not be transformed, in upstream's words where it has them.
public struct StorageTransformError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
