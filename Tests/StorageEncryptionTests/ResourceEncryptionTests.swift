import Foundation
import Storage
@testable import StorageEncryption
import XCTest

/// Sealing and opening values as k8s.io/apiserver's prefix transformers do.
final class ResourceEncryptionTests: XCTestCase {
    let secret = StorageKey(resource: "secrets", namespace: "default", name: "db")
    let plaintext = Array(#"{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}"#.utf8)

    func encryption(_ providers: String, resources: String = "[secrets]") throws -> ResourceEncryption {
        ResourceEncryption(try EncryptionConfiguration.parse(EncryptionConfigurationTests.configuration(providers, resources: resources)))
    }

    func key(_ byte: UInt8, count: Int = 32) -> String { Data(repeating: byte, count: count).base64EncodedString() }

    func testEachProviderRoundTripsBehindItsPrefixWithAFreshNonce() throws {
        for kind in ["aescbc", "aesgcm", "secretbox"] {
            let encryption = try encryption("      - \(kind):\n          keys: [{name: key1, secret: \(key(1))}]")
            let first = try encryption.toStorage(plaintext, key: secret)
            let second = try encryption.toStorage(plaintext, key: secret)
            XCTAssertTrue(first.starts(with: Array("k8s:enc:\(kind):v1:key1:".utf8)), kind)
            XCTAssertNotEqual(first, second, "\(kind): every write has its own IV or nonce")
            XCTAssertNil(first.firstRange(of: Array("aHVudGVyMg".utf8)), "\(kind): the value is not readable at rest")
            XCTAssertEqual(try encryption.fromStorage(first, key: secret), plaintext, kind)
        }
    }

    func testAWrongKeyDoesNotOpen() throws {
        for kind in ["aescbc", "aesgcm", "secretbox"] {
            let written = try encryption("      - \(kind):\n          keys: [{name: key1, secret: \(key(1))}]").toStorage(plaintext, key: secret)
            let other = try encryption("      - \(kind):\n          keys: [{name: key1, secret: \(key(2))}]")
            XCTAssertThrowsError(try other.fromStorage(written, key: secret), kind)
        }
    }

    func testGCMAuthenticatesTheKeyTheValueWasWrittenUnder() throws {
        let encryption = try encryption("      - aesgcm:\n          keys: [{name: key1, secret: \(key(3, count: 16))}]")
        let written = try encryption.toStorage(plaintext, key: secret)
        let elsewhere = StorageKey(resource: "secrets", namespace: "default", name: "copy")
        XCTAssertThrowsError(try encryption.fromStorage(written, key: elsewhere)) { error in
            XCTAssertEqual("\(error)", "cipher: message authentication failed")
        }
    }

    func testKeyRotationReadsOldKeysAndWritesWithTheFirst() throws {
        let old = try encryption("      - aescbc:\n          keys: [{name: old, secret: \(key(1))}]")
        let written = try old.toStorage(plaintext, key: secret)
        let rotated = try encryption("      - aescbc:\n          keys: [{name: new, secret: \(key(2))}, {name: old, secret: \(key(1))}]")
        XCTAssertEqual(try rotated.fromStorage(written, key: secret), plaintext)
        XCTAssertTrue(try rotated.toStorage(plaintext, key: secret).starts(with: Array("k8s:enc:aescbc:v1:new:".utf8)))
    }

    func testIdentityReadsPlaintextButNeverEncryptedData() throws {
        let withIdentity = try encryption("      - aesgcm:\n          keys: [{name: k, secret: \(key(1))}]\n      - identity: {}")
        XCTAssertEqual(try withIdentity.fromStorage(plaintext, key: secret), plaintext, "data written before encryption was on")
        let without = try encryption("      - aesgcm:\n          keys: [{name: k, secret: \(key(1))}]")
        XCTAssertThrowsError(try without.fromStorage(plaintext, key: secret)) { error in
            XCTAssertEqual("\(error)", "no matching prefix found")
        }
        let identityFirst = try encryption("      - identity: {}\n      - aesgcm:\n          keys: [{name: k, secret: \(key(1))}]")
        XCTAssertEqual(try identityFirst.toStorage(plaintext, key: secret), plaintext, "identity first turns encryption off")
        let encrypted = try without.toStorage(plaintext, key: secret)
        XCTAssertEqual(try identityFirst.fromStorage(encrypted, key: secret), plaintext, "and still reads what was encrypted")
        let identityOnly = try encryption("      - identity: {}")
        XCTAssertThrowsError(try identityOnly.fromStorage(encrypted, key: secret)) { error in
            XCTAssertEqual("\(error)", "identity transformer tried to read encrypted data")
        }
    }

    func testResourcesAreMatchedByNameGroupWildcardOrEverything() throws {
        let providers = "      - aesgcm:\n          keys: [{name: k, secret: \(key(1))}]"
        let apps = try encryption(providers, resources: "['*.apps']")
        XCTAssertNotNil(apps.providers(for: "deployments.apps"))
        XCTAssertNil(apps.providers(for: "secrets"))
        let core = try encryption(providers, resources: "['*.']")
        XCTAssertNotNil(core.providers(for: "configmaps"))
        XCTAssertNil(core.providers(for: "deployments.apps"))
        let everything = try encryption(providers, resources: "['*.*']")
        XCTAssertNotNil(everything.providers(for: "widgets.example.com"))
        let configMap = StorageKey(resource: "configmaps", namespace: "default", name: "c")
        XCTAssertEqual(try encryption(providers).toStorage(plaintext, key: configMap), plaintext, "resources not named stay as they are")
    }
}
