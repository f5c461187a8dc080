import Foundation
@testable import StorageEncryption
import XCTest

/// `--encryption-provider-config` files: what is accepted, and the field-named errors for what is not.
final class EncryptionConfigurationTests: XCTestCase {
    static let key32 = Data(repeating: 7, count: 32).base64EncodedString()

    static func configuration(_ providers: String, resources: String = "[secrets]") -> [UInt8] {
        Array("""
        apiVersion: apiserver.config.k8s.io/v1
        kind: EncryptionConfiguration
        resources:
          - resources: \(resources)
            providers:
        \(providers)
        """.utf8)
    }

    func testProvidersInOrderWithOneProviderPerKey() throws {
        let parsed = try EncryptionConfiguration.parse(Self.configuration("""
              - aescbc:
                  keys:
                    - {name: key1, secret: \(Self.key32)}
                    - {name: key2, secret: \(Self.key32)}
              - secretbox:
                  keys: [{name: box, secret: \(Self.key32)}]
              - identity: {}
        """))
        let prefixes = parsed.entries[0].providers.map { String(decoding: $0.prefix, as: UTF8.self) }
        XCTAssertEqual(prefixes, ["k8s:enc:aescbc:v1:key1:", "k8s:enc:aescbc:v1:key2:", "k8s:enc:secretbox:v1:box:", ""])
    }

    func testRefusals() {
        let cases: [(String, String)] = [
            ("      - aescbc:\n          keys: [{name: k, secret: \(Data(repeating: 1, count: 10).base64EncodedString())}]",
             "resources[0].providers[0].aescbc.keys[0].secret: Invalid value"),
            ("      - secretbox:\n          keys: [{name: k, secret: \(Data(repeating: 1, count: 16).base64EncodedString())}]",
             "expected one of [32]"),
            ("      - aesgcm:\n          keys: []", "resources[0].providers[0].aesgcm.keys: Required value"),
            ("      - kms: {name: plugin, endpoint: unix:///tmp/kms.sock}", "resources[0].providers[0].kms: Unsupported value"),
            ("      - aescbc:\n          keys: [{name: a, secret: \(Self.key32)}, {name: a, secret: \(Self.key32)}]",
             "keys[1].name: Duplicate value: \"a\""),
            ("      - {identity: {}, aesgcm: {keys: [{name: a, secret: \(Self.key32)}]}}", "more than one provider"),
        ]
        for (providers, expected) in cases {
            XCTAssertThrowsError(try EncryptionConfiguration.parse(Self.configuration(providers)), expected) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error) does not contain \(expected)")
                XCTAssertFalse("\(error)".contains(Self.key32), "a secret must never be printed")
            }
        }
        XCTAssertThrowsError(try EncryptionConfiguration.parse(Array("kind: Pod\napiVersion: v1".utf8)))
    }
}
