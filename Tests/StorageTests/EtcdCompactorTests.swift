import APIMachinery
import KubeliteTesting
@testable import Storage
import XCTest

/// Upstream's periodic compaction (etcd3/compact.go) against a real etcd, driven by manual timers.
final class EtcdCompactorTests: XCTestCase {
    var etcd: EtcdTestServer!

    override func setUpWithError() throws { etcd = try EtcdTestServer() }
    override func tearDown() { etcd?.stop() }

    let interval = Duration.seconds(300)

    func configMap(_ name: String) -> JSON {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "default"]]
    }

    /// Whether etcd still answers a read at `revision` (false once compacted past it).
    func readable(at revision: Int64) throws -> Bool {
        do throws(EtcdError) {
            _ = try EtcdClient(endpoints: [etcd.endpoint]).range(Array("/registry/".utf8), revision: revision)
            return true
        } catch {
            if error.isCompacted { return false }
            throw error
        }
    }

    /// Two replicas take turns through `compact_rev_key`: per interval one compacts, at the revision
    /// recorded an interval earlier; the other learns the compacted revision from the key. Each
    /// replica's cache then answers a watch or an exact list from before it with `.compacted`.
    func testOneReplicaPerIntervalCompactsAtThePreviousRoundsRevision() throws {
        let timers = ManualTimers()
        let layout = EtcdKeyLayout(prefix: "/registry", builtinResources: ["configmaps"])
        let a = try EtcdStorage(client: EtcdClient(endpoints: [etcd.endpoint]), layout: layout)
        defer { a.close() }
        let b = try EtcdStorage(client: EtcdClient(endpoints: [etcd.endpoint]), layout: layout)
        defer { b.close() }
        a.startCompaction(every: interval, schedule: timers.after)
        b.startCompaction(every: interval, schedule: timers.after)
        let first = try a.create(StorageKey(resource: "configmaps", namespace: "default", name: "first"), configMap("first"))
        _ = try a.create(StorageKey(resource: "configmaps", namespace: "default", name: "second"), configMap("second"))

        timers.advance(by: interval - .seconds(1))
        XCTAssertTrue(try readable(at: first.revision), "nothing runs before the first interval")
        timers.advance(by: .seconds(1))
        // Round 1: one replica claims the key (version 1) and records etcd's revision; no compaction.
        let claimed = try EtcdClient(endpoints: [etcd.endpoint]).range(EtcdCompactor.key)
        XCTAssertEqual(claimed.kvs.first?.version, 1, "one replica wrote the key, the other's guard failed")
        XCTAssertEqual(claimed.kvs.first.map { String(decoding: $0.value, as: UTF8.self) }, "0")
        XCTAssertTrue(try readable(at: first.revision))
        let recorded = claimed.revision

        let third = try a.create(StorageKey(resource: "configmaps", namespace: "default", name: "third"), configMap("third"))
        // b's cache follows a compaction only up to what its watch has brought (a waited for its own writes).
        XCTAssertGreaterThanOrEqual(b.waitForRevision(third.revision, timeout: .seconds(10)), third.revision)
        timers.advance(by: interval)
        // Round 2: compacted at the revision of round 1's write, which the key now holds.
        let key = try EtcdClient(endpoints: [etcd.endpoint]).range(EtcdCompactor.key)
        XCTAssertEqual(key.kvs.first?.version, 2)
        XCTAssertEqual(key.kvs.first.map { String(decoding: $0.value, as: UTF8.self) }, String(recorded))
        XCTAssertFalse(try readable(at: recorded - 1), "etcd compacted below round 1's revision")
        XCTAssertTrue(try readable(at: recorded))
        XCTAssertTrue(try readable(at: third.revision), "the last interval's history is kept")

        for store in [a, b] {
            XCTAssertThrowsError(try store.events(after: first.revision)) { error in
                guard case StorageError.compacted = error else { return XCTFail("\(error)") }
            }
            XCTAssertThrowsError(try store.list(ListRequest(resource: "configmaps", revision: first.revision))) { error in
                guard case StorageError.compacted = error else { return XCTFail("\(error)") }
            }
            XCTAssertEqual(try store.events(after: third.revision - 1).map(\.kind), [.added], "later history is kept")
        }
    }

    /// The replica that compacts stops: the other's guard, matching the version it last saw, wins
    /// the next round and it compacts in its place.
    func testAnotherReplicaTakesOverWhenTheCompactingOneStops() throws {
        let timers = ManualTimers()
        let client = EtcdClient(endpoints: [etcd.endpoint])
        let a = EtcdCompactor(client: client, interval: interval, schedule: timers.after)
        a.start()
        timers.advance(by: interval)  // a claims round 1
        let b = EtcdCompactor(client: client, interval: interval, schedule: timers.after)
        b.start()
        try client.put(Array("/registry/x".utf8), [1])
        timers.advance(by: interval)  // a compacts; b's guard fails and it learns a's compaction
        let firstCompaction = a.compactedRevision
        XCTAssertGreaterThan(firstCompaction, 0)
        XCTAssertEqual(b.compactedRevision, firstCompaction)

        a.stop()
        try client.put(Array("/registry/x".utf8), [2])
        timers.advance(by: interval)  // b wins the round a no longer takes: it compacts at the revision it saw last round
        let taken = b.compactedRevision
        XCTAssertGreaterThan(taken, firstCompaction)
        try client.put(Array("/registry/x".utf8), [3])
        timers.advance(by: interval)  // and keeps compacting, one interval behind
        XCTAssertGreaterThan(b.compactedRevision, taken)
        XCTAssertFalse(try readable(at: b.compactedRevision - 1))
        XCTAssertEqual(a.compactedRevision, firstCompaction, "a stopped compactor does nothing")
    }
}
