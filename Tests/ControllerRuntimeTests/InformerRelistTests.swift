import APIMachinery
@testable import ControllerRuntime
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

/// An informer whose watch is cut or answers 410 lists again, after client-go's backoff on the
/// injected timers, and its handlers see what changed meanwhile exactly once.
final class InformerRelistTests: XCTestCase {
    let storage = MemoryStorage()
    lazy var registry = Registry(storage: storage, strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
    let timers = ManualTimers()
    let log = HandlerLog()

    override func tearDown() { registry.stopWatches() }

    private func key(_ name: String) -> StorageKey { StorageKey(resource: "configmaps", namespace: "default", name: name) }

    private func write(_ name: String, _ value: String = "1") throws {
        let object: JSON = ["metadata": ["name": .string(name), "namespace": "default"], "data": ["v": .string(value)]]
        if storage.get(key(name)) == nil { _ = try storage.create(key(name), object) } else { _ = try storage.update(key(name), expectedRevision: nil, object) }
    }

    /// A synced informer over `source` with a, b and c stored.
    private func startedInformer(_ source: ScriptedListerWatcher) throws -> Informer {
        for name in ["a", "b", "c"] { try write(name) }
        let informer = Informer(resource: "configmaps")
        informer.addHandler(log.handler)
        informer.start(source, timers: timers)
        XCTAssertTrue(informer.waitForSync())
        XCTAssertEqual(log.all.sorted(), ["+a", "+b", "+c"])
        // The watch starts just after the list is applied.
        waitUntil("the first watch") { source.watchCount == 1 }
        return informer
    }

    /// What was logged after the first `count` entries, sorted (a relist reports in no set order).
    private func logged(after count: Int) -> [String] { Array(log.all.dropFirst(count)).sorted() }

    func testCutWatchRelistsAfterTheBackoffAndReportsTheDifferencesOnce() throws {
        let source = ScriptedListerWatcher(store: registry.store(group: "", plural: "configmaps")!)
        let informer = try startedInformer(source)
        source.cutWatch()
        waitUntil("the relist scheduled") { timers.pendingCount == 1 }
        try write("b", "2")
        _ = try storage.delete(key("c"), expectedRevision: nil)
        try write("d")
        XCTAssertEqual(log.all.count, 3, "the cut watch delivered nothing more")
        XCTAssertNotNil(informer.get(namespace: "default", name: "c"))

        timers.advance(by: .milliseconds(500))
        XCTAssertEqual(source.listCount, 1, "no relist before the 800 ms backoff")
        timers.advance(by: .seconds(2))
        waitUntil("the relist's differences") { log.all.count == 6 }
        XCTAssertEqual(logged(after: 3), ["+d", "-c", "~b"])
        XCTAssertEqual(source.listCount, 2)
        XCTAssertNil(informer.get(namespace: "default", name: "c"))
        XCTAssertEqual(informer.get(namespace: "default", name: "b")?[path: "data", "v"], "2")
        XCTAssertEqual(informer.lastSyncRevision, storage.currentRevision)

        // The new watch starts at the list's revision: later changes arrive, earlier ones not again.
        try write("e")
        waitUntil("e through the new watch") { log.all.count == 7 }
        XCTAssertEqual(log.all.last, "+e")
        XCTAssertEqual(informer.list().count, 4)
        informer.stop()
    }

    func testExpiredWatchRelistsWithGrowingBackoffAndConverges() throws {
        let source = ScriptedListerWatcher(store: registry.store(group: "", plural: "configmaps")!)
        let informer = try startedInformer(source)
        source.expireNextWatches(2)
        source.cutWatch()
        waitUntil("the first relist scheduled") { timers.pendingCount == 1 }
        try write("a", "2")

        // Relist 2 finds a changed; its watch answers 410, so another relist waits (1.6 s at least).
        timers.advance(by: .seconds(2))
        waitUntil("relist 2 and its expired watch") { source.listCount == 2 && timers.pendingCount == 1 }
        XCTAssertEqual(logged(after: 3), ["~a"])
        _ = try storage.delete(key("b"), expectedRevision: nil)
        timers.advance(by: .seconds(1))
        XCTAssertEqual(source.listCount, 2, "the second pause is longer than the first")

        // Relist 3 finds b gone; its watch expires too; relist 4 watches for good.
        timers.advance(by: .seconds(3))
        waitUntil("relist 3") { source.listCount == 3 && timers.pendingCount == 1 }
        timers.advance(by: .seconds(10))
        waitUntil("relist 4") { source.listCount == 4 }
        try write("f")
        waitUntil("f through the watch after the relists") { informer.get(namespace: "default", name: "f") != nil }
        XCTAssertEqual(logged(after: 3), ["+f", "-b", "~a"], "each change reported once")
        XCTAssertEqual(informer.list().map(HandlerLog.name).sorted(), ["a", "c", "f"])
        informer.stop()
    }

    func testStoppedInformerNeitherWatchesNorRelists() throws {
        let source = ScriptedListerWatcher(store: registry.store(group: "", plural: "configmaps")!)
        let informer = try startedInformer(source)
        informer.stop()
        try write("late")
        timers.advance(by: .seconds(60))
        XCTAssertEqual(source.listCount, 1)
        XCTAssertEqual(timers.pendingCount, 0)
        XCTAssertNil(informer.get(namespace: "default", name: "late"))
    }
}
