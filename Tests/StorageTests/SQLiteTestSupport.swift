import APIMachinery
import Foundation
@testable import Storage
import XCTest

/// A fresh directory per test, removed afterwards.
class SQLiteTestCase: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "kubelite-sqlite-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func open(historyLimit: Int = 1000) throws(SQLiteOpenError) -> SQLiteStorage {
        try SQLiteStorage(directory: directory, historyLimit: historyLimit, compactionInterval: .seconds(3600))
    }

    func configMap(_ name: String, namespace: String = "default", data: String = "v") -> JSON {
        Self.configMap(name, namespace: namespace, data: data)
    }

    func key(_ name: String, namespace: String = "default") -> StorageKey { Self.key(name, namespace: namespace) }

    static func configMap(_ name: String, namespace: String = "default", data: String = "v") -> JSON {
        ["apiVersion": "v1", "kind": "ConfigMap",
         "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string(UUID().uuidString),
                      "creationTimestamp": "2025-01-02T03:04:05Z"],
         "data": ["k": .string(data)]]
    }

    static func key(_ name: String, namespace: String = "default") -> StorageKey {
        StorageKey(resource: "configmaps", namespace: namespace, name: name)
    }

    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
    }

    /// The error `SQLiteStorage.init` fails with, as the CLI would print it.
    func openFailure(file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let storage = try open()
            storage.close()
            XCTFail("opening \(directory) should fail", file: file, line: line)
            return ""
        } catch {
            return error.description
        }
    }
}
