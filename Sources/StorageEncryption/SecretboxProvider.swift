import CSodium
import Storage

/// `secretbox`: XSalsa20-Poly1305 (NaCl secretbox, through libsodium) with a random 24-byte nonce
/// written before the box, as k8s.io/apiserver's secretbox transformer. Keys are 32 bytes.
struct SecretboxProvider: EncryptionProvider {
    let prefix: [UInt8]
    let key: [UInt8]

    init(name: String, secret: [UInt8]) {
        prefix = EncryptionPrefix.of("secretbox", key: name)
        key = secret
        _ = Self.initialized
    }

    /// sodium_init once per process: it picks implementations and seeds the random generator.
    private static let initialized: Bool = sodium_init() >= 0

    func seal(_ plaintext: [UInt8], context: [UInt8]) throws(StorageTransformError) -> [UInt8] {
        let nonceSize = Int(crypto_secretbox_NONCEBYTES), macSize = Int(crypto_secretbox_MACBYTES)
        var nonce = [UInt8](repeating: 0, count: nonceSize)
        randombytes_buf(&nonce, nonceSize)
        var box = [UInt8](repeating: 0, count: plaintext.count + macSize)
        let status = crypto_secretbox_easy(&box, plaintext, UInt64(plaintext.count), nonce, key)
        guard status == 0 else { throw StorageTransformError("secretbox: sealing failed") }
        return prefix + nonce + box
    }

    func open(_ sealed: ArraySlice<UInt8>, context: [UInt8]) throws(StorageTransformError) -> [UInt8] {
        let nonceSize = Int(crypto_secretbox_NONCEBYTES), macSize = Int(crypto_secretbox_MACBYTES)
        guard sealed.count >= nonceSize + macSize else {
            throw StorageTransformError("the stored data was shorter than the required size")
        }
        let nonce = Array(sealed.prefix(nonceSize))
        let box = Array(sealed.dropFirst(nonceSize))
        var plaintext = [UInt8](repeating: 0, count: box.count - macSize)
        guard crypto_secretbox_open_easy(&plaintext, box, UInt64(box.count), nonce, key) == 0 else {
            throw StorageTransformError("output array was not large enough for encryption")
        }
        return plaintext
    }
}
