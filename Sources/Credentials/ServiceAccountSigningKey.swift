import Crypto
import _CryptoExtras
import Foundation

/// The RSA key service account tokens are signed with (kube-apiserver's
/// --service-account-signing-key-file, kubeadm's `sa.key`), and its public half as a JWK.
public struct ServiceAccountSigningKey: Sendable {
    let privateKey: _RSA.Signing.PrivateKey

    /// A new 2048-bit key, as kubeadm generates `sa.key`.
    public static func generate() throws -> ServiceAccountSigningKey {
        ServiceAccountSigningKey(privateKey: try _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    public init(pem: String) throws {
        privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
    }

    init(privateKey: _RSA.Signing.PrivateKey) { self.privateKey = privateKey }

    /// PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), as kubeadm writes sa.key.
    public var pem: String { privateKey.pemRepresentation }

    /// Upstream's keyIDFromPublicKey: the unpadded base64url SHA-256 of the public key's PKIX DER,
    /// so the `kid` of a token names the JWKS entry that verifies it.
    public var keyID: String {
        Base64URLText.encode(Data(SHA256.hash(data: privateKey.publicKey.derRepresentation)))
    }

    /// RS256 (RSASSA-PKCS1-v1_5 with SHA-256), the only algorithm kube-apiserver signs with for RSA keys.
    func sign(_ input: Data) throws -> Data {
        try privateKey.signature(for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5).rawRepresentation
    }

    /// The public key as a JWK (RFC 7517), as `/openid/v1/jwks` lists it.
    public func jwk() throws -> [String: String] {
        let primitives = try privateKey.publicKey.getKeyPrimitives()
        return ["use": "sig", "kty": "RSA", "kid": keyID, "alg": "RS256",
                "n": Base64URLText.encode(primitives.modulus), "e": Base64URLText.encode(primitives.publicExponent)]
    }
}

/// Unpadded base64url (RFC 4648 §5), JWS's encoding.
enum Base64URLText {
    static func encode(_ data: Data) -> String {
        var text = data.base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        return Data(base64Encoded: base64)
    }
}
