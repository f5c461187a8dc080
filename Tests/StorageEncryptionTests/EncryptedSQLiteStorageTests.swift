import APIMachinery
import Foundation
import Storage
@testable import StorageEncryption
import XCTest

/// The durable store with encryption at rest: the database file holds ciphertext, memory and reads the
/// plaintext, and a restart without the key refuses to start rather than serve without it.
final class EncryptedSQLiteStorageTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "kubelite-encrypted-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    func encryption(_ byte: UInt8) throws -> ResourceEncryption {
        let secret = Data(repeating: byte, count: 32).base64EncodedString()
        return ResourceEncryption(try EncryptionConfiguration.parse(EncryptionConfigurationTests.configuration(
            "      - aescbc:\n          keys: [{name: key1, secret: \(secret)}]")))
    }

    func testSecretsAreCiphertextInTheFileAndReadBackAfterARestart() throws {
        let key = StorageKey(resource: "secrets", namespace: "default", name: "db")
        let secret: JSON = ["apiVersion": "v1", "kind": "Secret",
                            "metadata": ["name": "db", "namespace": "default", "uid": "u1"],
                            "data": ["password": "c2VjcmV0LXBhc3N3b3Jk"]]
        var store: SQLiteStorage? = try SQLiteStorage(directory: directory, compactionInterval: .seconds(3600), transformer: try encryption(1))
        let written = try store!.create(key, secret)
        XCTAssertEqual(store!.get(key)?.object["data"]?["password"], "c2VjcmV0LXBhc3N3b3Jk", "memory holds the plaintext")
        let path = store!.databasePath
        store!.close()
        store = nil

        var onDisk = Data()
        for file in [path, path + "-wal"] { onDisk.append(FileManager.default.contents(atPath: file) ?? Data()) }
        XCTAssertNil(onDisk.range(of: Data("c2VjcmV0LXBhc3N3b3Jk".utf8)), "the secret's data is not in the database")
        XCTAssertNotNil(onDisk.range(of: Data("k8s:enc:aescbc:v1:key1:".utf8)))

        let reopened = try SQLiteStorage(directory: directory, compactionInterval: .seconds(3600), transformer: try encryption(1))
        XCTAssertEqual(reopened.get(key)?.object["data"]?["password"], "c2VjcmV0LXBhc3N3b3Jk")
        XCTAssertEqual(reopened.get(key)?.revision, written.revision)
        reopened.close()

        XCTAssertThrowsError(try SQLiteStorage(directory: directory, compactionInterval: .seconds(3600), transformer: try encryption(2))) { error in
            XCTAssertTrue("\(error)".contains("cannot be read back"), "\(error)")
        }
        XCTAssertThrowsError(try SQLiteStorage(directory: directory, compactionInterval: .seconds(3600))) { error in
            XCTAssertTrue("\(error)".contains("not JSON"), "without the configuration the rows are not readable: \(error)")
        }
    }

    func testSupersededRowsWrittenBeforeEncryptionOnlyShortenTheHistory() throws {
        let key = StorageKey(resource: "secrets", namespace: "default", name: "old")
        let plain = try SQLiteStorage(directory: directory, compactionInterval: .seconds(3600))
        let first = try plain.create(key, ["kind": "Secret", "metadata": ["name": "old", "namespace": "default"], "data": ["k": "djE="]])
        plain.close()

        // Rewritten under encryption (identity still listed to read the plaintext state)...
        let identityProviders = "      - aesgcm:\n          keys: [{name: one, secret: \(Data(repeating: 1, count: 32).base64EncodedString())}]\n      - identity: {}"
        let migrating = try SQLiteStorage(directory: directory, compactionInterval: .seconds(3600),
                                          transformer: ResourceEncryption(try EncryptionConfiguration.parse(EncryptionConfigurationTests.configuration(identityProviders))))
        let current = migrating.get(key)!
        let rewritten = try migrating.update(key, expectedRevision: current.revision, current.object)
        migrating.close()

        // ...then identity dropped: the plaintext row is history only, so the store opens and the
        // history starts after the rewrite.
        let encryptedOnly = "      - aesgcm:\n          keys: [{name: one, secret: \(Data(repeating: 1, count: 32).base64EncodedString())}]"
        let reopened = try SQLiteStorage(directory: directory, compactionInterval: .seconds(3600),
                                         transformer: ResourceEncryption(try EncryptionConfiguration.parse(EncryptionConfigurationTests.configuration(encryptedOnly))))
        XCTAssertEqual(reopened.get(key)?.object["data"]?["k"], "djE=")
        XCTAssertThrowsError(try reopened.events(after: first.revision - 1), "the unreadable change is no longer history")
        XCTAssertEqual(try reopened.events(after: rewritten.revision).count, 0)
        reopened.close()
    }
}
