import Crypto
import _CryptoExtras
import Foundation
import Storage

/// `aescbc`: AES in CBC mode with PKCS#7 padding, a random 16-byte IV written before the ciphertext
/// (k8s.io/apiserver's value/encrypt/aes CBC transformer). Unauthenticated, as upstream's.
struct AESCBCProvider: EncryptionProvider {
    let prefix: [UInt8]
    /// The key's bytes: SymmetricKey is not Sendable, so each operation wraps them.
    let secret: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: secret) }

    init(name: String, secret: [UInt8]) {
        prefix = EncryptionPrefix.of("aescbc", key: name)
        self.secret = secret
    }

    func seal(_ plaintext: [UInt8], context: [UInt8]) throws(StorageTransformError) -> [UInt8] {
        do {
            let iv = AES._CBC.IV()
            let ciphertext = try AES._CBC.encrypt(plaintext, using: key, iv: iv)
            return prefix + withUnsafeBytes(of: iv) { Array($0) } + Array(ciphertext)
        } catch {
            throw StorageTransformError("aescbc: \(error)")
        }
    }

    func open(_ sealed: ArraySlice<UInt8>, context: [UInt8]) throws(StorageTransformError) -> [UInt8] {
        let blockSize = 16
        guard sealed.count >= 2 * blockSize, sealed.count % blockSize == 0 else {
            throw StorageTransformError("the stored data was shorter than the required size")
        }
        do {
            let iv = try AES._CBC.IV(ivBytes: sealed.prefix(blockSize))
            return Array(try AES._CBC.decrypt(sealed.dropFirst(blockSize), using: key, iv: iv))
        } catch {
            // A wrong key shows as bad padding, as upstream reports it.
            throw StorageTransformError("invalid PKCS7 data (empty or not padded)")
        }
    }
}
