import Crypto
import Foundation
import Storage

/// `aesgcm`: AES-GCM with a random 12-byte nonce written before the ciphertext and tag, the storage
/// key's path as additional authenticated data (so a value copied under another key fails to open),
/// as k8s.io/apiserver's GCM transformer.
struct AESGCMProvider: EncryptionProvider {
    let prefix: [UInt8]
    /// The key's bytes: SymmetricKey is not Sendable, so each operation wraps them.
    let secret: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: secret) }

    init(name: String, secret: [UInt8]) {
        prefix = EncryptionPrefix.of("aesgcm", key: name)
        self.secret = secret
    }

    func seal(_ plaintext: [UInt8], context: [UInt8]) throws(StorageTransformError) -> [UInt8] {
        do {
            let box = try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(), authenticating: context)
            return prefix + Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw StorageTransformError("aesgcm: \(error)")
        }
    }

    func open(_ sealed: ArraySlice<UInt8>, context: [UInt8]) throws(StorageTransformError) -> [UInt8] {
        let nonceSize = 12, tagSize = 16
        guard sealed.count >= nonceSize + tagSize else {
            throw StorageTransformError("the stored data was shorter than the required size")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: Data(sealed))
            return Array(try AES.GCM.open(box, using: key, authenticating: context))
        } catch {
            throw StorageTransformError("cipher: message authentication failed")
        }
    }
}
