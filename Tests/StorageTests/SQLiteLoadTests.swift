import APIMachinery
import Foundation
@testable import Storage
import XCTest

/// The restart path: the final state is restored in key order and the history replayed after it
/// (see `SQLiteStorage.load`); what a restarted store serves must equal what it served before.
final class SQLiteLoadTests: SQLiteTestCase {
    private struct Seen: Equatable {
        let kind: StorageEvent.Kind
        let key: StorageKey
        let revision: Int64
        let previousRevision: Int64?
    }

    private func history(_ storage: SQLiteStorage, after revision: Int64) throws -> [Seen] {
        try storage.events(after: revision).map {
            Seen(kind: $0.kind, key: $0.object.key, revision: $0.revision, previousRevision: $0.previous?.revision)
        }
    }

    private func state(_ storage: SQLiteStorage) -> [String] {
        ["configmaps", "secrets"].flatMap { resource in
            storage.list(resource: resource, namespace: nil).items.map { "\($0.key) \($0.revision) \(String(decoding: $0.bytes, as: UTF8.self))" }
        }
    }

    /// Creations in shuffled key order, updates, deletions and re-creations, some before a compaction
    /// and some after it, over two resources and several namespaces.
    private func churn(_ storage: SQLiteStorage, names: [String], secret: String) throws {
        for name in names {
            _ = try storage.create(key(name, namespace: name.hasPrefix("a") ? "alpha" : "beta"), configMap(name))
        }
        _ = try storage.create(StorageKey(resource: "secrets", namespace: "alpha", name: secret), configMap(secret))
        for name in names.prefix(20) {
            let k = key(name, namespace: name.hasPrefix("a") ? "alpha" : "beta")
            _ = try storage.update(k, expectedRevision: nil, configMap(name, data: "updated"))
        }
        for name in names.suffix(10) {
            _ = try storage.delete(key(name, namespace: name.hasPrefix("a") ? "alpha" : "beta"), expectedRevision: nil)
        }
        for name in names.suffix(3) {
            _ = try storage.create(key(name, namespace: name.hasPrefix("a") ? "alpha" : "beta"), configMap(name, data: "again"))
        }
    }

    func testRestartServesTheSameStateAndHistoryAfterChurn() throws {
        var names = (0..<60).map { ($0 % 2 == 0 ? "a" : "b") + String(format: "%03d", $0) }
        names.shuffle()
        let storage = try open(historyLimit: 1000)
        try churn(storage, names: names, secret: "s1")
        let start = storage.currentRevision
        try churn(storage, names: names.map { $0 + "-x" }, secret: "s2")
        let before = state(storage)
        let history = try history(storage, after: start)
        let revision = storage.currentRevision
        storage.close()

        let reopened = try open(historyLimit: 1000)
        defer { reopened.close() }
        XCTAssertEqual(reopened.currentRevision, revision)
        XCTAssertEqual(state(reopened), before)
        XCTAssertEqual(try self.history(reopened, after: start), history)
        // Lists stay in key order within each resource.
        let keys = reopened.list(resource: "configmaps", namespace: nil).items.map(\.key)
        XCTAssertEqual(keys, keys.sorted())
    }

    func testRestartAfterACompactionKeepsTheCompactedStateAndLaterHistory() throws {
        var names = (0..<40).map { ($0 % 2 == 0 ? "a" : "b") + String(format: "%03d", $0) }
        names.shuffle()
        let storage = try open(historyLimit: 50)
        try churn(storage, names: names, secret: "s1")
        try churn(storage, names: names.map { $0 + "-z" }, secret: "s3")
        XCTAssertGreaterThan(storage.compact(), 0)
        try churn(storage, names: Array(names.prefix(25)).map { $0 + "-y" }, secret: "s2")
        let start = storage.currentRevision - 40
        let before = state(storage)
        let history = try history(storage, after: start)
        storage.close()

        let reopened = try open(historyLimit: 50)
        defer { reopened.close() }
        XCTAssertEqual(state(reopened), before)
        XCTAssertEqual(try self.history(reopened, after: start), history)
    }

    func testACorruptRowNamesItsRevisionOnce() throws {
        let storage = try open()
        _ = try storage.create(key("good"), configMap("good"))
        let bad = try storage.create(key("bad"), configMap("bad"))
        storage.close()
        let db = try SQLiteConnection(path: directory + "/" + SQLiteLog.fileName)
        try db.execute("UPDATE log SET value = x'7b6e6f' WHERE revision = \(bad.revision)")
        db.close()
        XCTAssertThrowsError(try open()) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("the row at revision \(bad.revision)"), message)
            XCTAssertEqual(message.components(separatedBy: "is corrupt").count, 2, message)
        }
    }
}
