import APIMachinery
import KubeliteTesting
import Synchronization
@testable import Storage
import XCTest

/// The gateway client and the etcd backend against a real etcd started by the test.
final class EtcdStorageTests: XCTestCase {
    var etcd: EtcdTestServer!

    override func setUpWithError() throws { etcd = try EtcdTestServer() }
    override func tearDown() { etcd?.stop() }

    func layout() -> EtcdKeyLayout { EtcdKeyLayout(prefix: "/registry", builtinResources: ["pods", "configmaps"]) }

    func configMap(_ name: String, _ data: String = "1") -> JSON {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "default"], "data": ["k": .string(data)]]
    }

    func testClientRoundTripsBinaryKeysAndValuesAndGuardsTransactions() throws {
        let client = EtcdClient(endpoints: [etcd.endpoint])
        let key: [UInt8] = Array("/t/ключ/".utf8) + [0, 0xfe]
        let revision = try client.put(key, [0xff, 0, 1])
        let page = try client.range(key)
        XCTAssertEqual(page.kvs.map(\.key), [key])
        XCTAssertEqual(page.kvs.first?.value, [0xff, 0, 1])
        XCTAssertEqual(page.kvs.first?.modRevision, revision)
        XCTAssertEqual(page.revision, revision)

        let create = EtcdTxn(key: Array("/t/new".utf8), compare: .absent, success: [.put(value: [1])])
        XCTAssertTrue(try client.txn(create).succeeded)
        XCTAssertFalse(try client.txn(create).succeeded)
        let stale = try client.txn(EtcdTxn(key: Array("/t/new".utf8), compare: .modRevision(1), success: [.put(value: [2])], failure: [.get]))
        XCTAssertFalse(stale.succeeded)
        XCTAssertEqual(stale.responses.first?[path: "response_range", "kvs"]?.arrayValue?.count, 1)

        // Pagination through a prefix with a limit.
        for i in 0..<5 { try client.put(Array("/p/\(i)".utf8), [UInt8(i)]) }
        let first = try client.range(Array("/p/".utf8), rangeEnd: EtcdBase64.prefixEnd(Array("/p/".utf8)), limit: 2)
        XCTAssertEqual(first.kvs.map(\.keyString), ["/p/0", "/p/1"])
        XCTAssertTrue(first.more)
    }

    func testFailsOverToTheNextMember() throws {
        let dead = EtcdEndpoint(host: "127.0.0.1", port: EtcdTestServer.freePort())
        let client = EtcdClient(endpoints: [dead, etcd.endpoint], connectTimeout: .milliseconds(500))
        XCTAssertGreaterThan(try client.put(Array("/f".utf8), [1]), 0)
        let unreachable = EtcdClient(endpoints: [dead], connectTimeout: .milliseconds(500))
        XCTAssertThrowsError(try unreachable.put(Array("/f".utf8), [1])) { error in
            guard case EtcdError.unreachable = error else { return XCTFail("\(error)") }
        }
    }

    /// A member that answers with an error of its own: the next member is tried, and when none can
    /// serve, etcd's answer (not "unreachable") is what the caller gets, with etcd's text.
    func testAnErrorEtcdAnsweredIsKeptApartFromNoMemberReachable() throws {
        let member = EtcdFakeMember()
        defer { member.stop() }
        let failing = EtcdClient(endpoints: [member.endpoint], connectTimeout: .milliseconds(500))
        XCTAssertThrowsError(try failing.put(Array("/f".utf8), [1])) {
            XCTAssertEqual($0 as? EtcdError, .failed(code: 14, message: EtcdFakeMember.timedOut))
        }
        let dead = EtcdEndpoint(host: "127.0.0.1", port: EtcdTestServer.freePort())
        XCTAssertThrowsError(try EtcdClient(endpoints: [member.endpoint, dead], connectTimeout: .milliseconds(500))
            .put(Array("/f".utf8), [1])) {
            XCTAssertEqual($0 as? EtcdError, .failed(code: 14, message: EtcdFakeMember.timedOut), "the answer, not the dead member")
        }
        let fallback = EtcdClient(endpoints: [member.endpoint, etcd.endpoint], connectTimeout: .milliseconds(500))
        XCTAssertGreaterThan(try fallback.put(Array("/f".utf8), [1]), 0, "a member without quorum is passed over")

        let key = StorageKey(resource: "configmaps", namespace: "default", name: "a")
        XCTAssertEqual(EtcdStorage.storageError(.failed(code: 14, message: EtcdFakeMember.timedOut), key: key),
                       .backendFailure(EtcdFakeMember.timedOut))
        guard case .unreachable = EtcdStorage.storageError(.unreachable("refused"), key: key) else { return XCTFail() }
    }

    /// A member that takes a call and does not answer (stopped): the call fails after the call
    /// timeout as `.timedOut`, is not sent again on a new connection nor to the next member (it
    /// may still apply it), and the store answers it as unreachable (upstream's 504).
    func testACallTakenButNotAnsweredIsNotSentAgain() throws {
        let silent = EtcdSilentMember()
        defer { silent.stop() }
        let client = EtcdClient(endpoints: [silent.endpoint, etcd.endpoint], connectTimeout: .milliseconds(500),
                                callTimeout: .milliseconds(300))
        let key = Array("/registry/configmaps/default/once".utf8)
        let began = ContinuousClock.now
        XCTAssertThrowsError(try client.txn(EtcdTxn(key: key, compare: .absent, success: [.put(value: [1])]))) { error in
            guard case EtcdError.timedOut = error else { return XCTFail("\(error)") }
            guard case .unreachable = EtcdStorage.storageError(error as! EtcdError, key: StorageKey(resource: "configmaps", namespace: "default", name: "once")) else {
                return XCTFail("a timeout is answered as etcd unreachable")
            }
        }
        XCTAssertLessThan(ContinuousClock.now - began, .seconds(3))
        XCTAssertEqual(silent.connections, 1, "one connection, one attempt")
        XCTAssertTrue(try EtcdClient(endpoints: [etcd.endpoint]).range(key).kvs.isEmpty, "not sent to the next member")
    }

    func testParsesHTTPAndHTTPSMembers() {
        XCTAssertEqual(EtcdEndpoint(url: "https://etcd-0:2379"), EtcdEndpoint(host: "etcd-0", port: 2379, secure: true))
        XCTAssertEqual(EtcdEndpoint(url: "http://[::1]:2380"), EtcdEndpoint(host: "::1", port: 2380))
        XCTAssertEqual(EtcdEndpoint(url: "https://[::1]")?.description, "https://[::1]:2379")
        XCTAssertNil(EtcdEndpoint(url: "unix://socket"))
    }

    func testWritesAreGuardedAndReadBackStampedWithModRevision() throws {
        let store = try EtcdStorage(client: EtcdClient(endpoints: [etcd.endpoint]), layout: layout())
        defer { store.close() }
        let key = StorageKey(resource: "configmaps", namespace: "default", name: "a")
        let created = try store.create(key, configMap("a"))
        XCTAssertEqual(created.object[path: "metadata", "resourceVersion"], .string(String(created.revision)))
        XCTAssertEqual(store.get(key)?.revision, created.revision, "read-your-writes from the cache")
        XCTAssertThrowsError(try store.create(key, configMap("a"))) { XCTAssertEqual($0 as? StorageError, .alreadyExists(key)) }

        let updated = try store.update(key, expectedRevision: created.revision, configMap("a", "2"))
        XCTAssertGreaterThan(updated.revision, created.revision)
        XCTAssertThrowsError(try store.update(key, expectedRevision: created.revision, configMap("a", "3"))) {
            XCTAssertEqual($0 as? StorageError, .conflict(key, currentRevision: updated.revision))
        }
        XCTAssertThrowsError(try store.delete(key, expectedRevision: created.revision)) {
            XCTAssertEqual($0 as? StorageError, .conflict(key, currentRevision: updated.revision))
        }
        let missing = StorageKey(resource: "configmaps", namespace: "default", name: "none")
        XCTAssertThrowsError(try store.update(missing, expectedRevision: nil, configMap("none"))) { XCTAssertEqual($0 as? StorageError, .notFound(missing)) }

        // etcd holds the JSON without resourceVersion, at upstream's key.
        let raw = try EtcdClient(endpoints: [etcd.endpoint]).range(Array("/registry/configmaps/default/a".utf8))
        let value = try JSONParser.parse(raw.kvs[0].value).value
        XCTAssertNil(value[path: "metadata", "resourceVersion"])
        XCTAssertEqual(value[path: "data", "k"], "2")

        let deleted = try store.delete(key, expectedRevision: updated.revision)
        XCTAssertGreaterThan(deleted.revision, updated.revision)
        XCTAssertEqual(deleted.object[path: "data", "k"], "2")
        XCTAssertNil(store.get(key))
        let kinds = try store.events(after: created.revision - 1).map(\.kind)
        XCTAssertEqual(kinds, [.added, .modified, .deleted])
    }

    func testASecondReplicaSeesTheFirstsWritesThroughItsWatchAndRestoresOnStart() throws {
        let a = try EtcdStorage(client: EtcdClient(endpoints: [etcd.endpoint]), layout: layout())
        defer { a.close() }
        let before = StorageKey(resource: "configmaps", namespace: "default", name: "before")
        let written = try a.create(before, configMap("before"))
        let b = try EtcdStorage(client: EtcdClient(endpoints: [etcd.endpoint]), layout: layout())
        defer { b.close() }
        XCTAssertEqual(b.get(before)?.revision, written.revision, "restored by the initial list")

        let seen = Mutex<[StorageEvent.Kind]>([])
        b.addListener { event in seen.withLock { $0.append(event.kind) } }
        let key = StorageKey(resource: "configmaps", namespace: "default", name: "after")
        let created = try a.create(key, configMap("after"))
        _ = try a.delete(key, expectedRevision: created.revision)
        XCTAssertGreaterThanOrEqual(b.waitForRevision(created.revision + 1, timeout: .seconds(10)), created.revision + 1)
        XCTAssertEqual(seen.withLock { $0 }, [.added, .deleted])
        XCTAssertNil(b.healthProblem)
    }

    func testUnreachableEtcdFailsWritesKeepsReadsAndRecovers() throws {
        let store = try EtcdStorage(client: EtcdClient(endpoints: [etcd.endpoint], connectTimeout: .milliseconds(300),
                                                        callTimeout: .seconds(2)), layout: layout())
        defer { store.close() }
        let key = StorageKey(resource: "configmaps", namespace: "default", name: "kept")
        _ = try store.create(key, configMap("kept"))
        etcd.process.terminate()
        etcd.process.waitUntilExit()
        XCTAssertThrowsError(try store.create(StorageKey(resource: "configmaps", namespace: "default", name: "lost"), configMap("lost"))) { error in
            guard case StorageError.unreachable = error else { return XCTFail("\(error)") }
        }
        XCTAssertNotNil(store.get(key), "reads are served from the cache")
        let deadline = Date().addingTimeInterval(10)
        while store.healthProblem == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        XCTAssertNotNil(store.healthProblem)
    }

    /// Waits (with a deadline) for `whenConsistent` to answer.
    func consistent(_ store: EtcdStorage) -> StorageError?? {
        let answer = Mutex<StorageError??>(nil)
        store.whenConsistent { error in answer.withLock { $0 = .some(error) } }
        let deadline = Date().addingTimeInterval(20)
        while answer.withLock({ $0 }) == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        return answer.withLock { $0 }
    }

    func testConsistentReadsWaitForEtcdsRevisionAndFailWithEtcdDown() throws {
        let client = EtcdClient(endpoints: [etcd.endpoint], connectTimeout: .milliseconds(300), callTimeout: .seconds(2))
        let a = try EtcdStorage(client: client, layout: layout())
        defer { a.close() }
        let b = try EtcdStorage(client: EtcdClient(endpoints: [etcd.endpoint]), layout: layout())
        defer { b.close() }
        XCTAssertTrue(a.confirmsConsistentReads)

        // A write through another replica: once a consistent read may go on, a's cache holds it.
        let key = StorageKey(resource: "configmaps", namespace: "default", name: "elsewhere")
        let written = try b.create(key, configMap("elsewhere"))
        XCTAssertEqual(consistent(a), .some(nil))
        XCTAssertEqual(a.memory.get(key)?.revision, written.revision)

        // A write outside the prefix moves etcd's revision, which the prefix watch never reports: the
        // cache, unchanged under the prefix since, is found current at that revision.
        let foreign = try client.put(Array("/other-cluster/key".utf8), Array("v".utf8))
        XCTAssertEqual(consistent(a), .some(nil))
        XCTAssertGreaterThanOrEqual(a.currentRevision, foreign)

        // Many reads at once share rounds and all complete.
        let done = Mutex(0)
        for _ in 0..<50 { a.whenConsistent { error in if error == nil { done.withLock { $0 += 1 } } } }
        let deadline = Date().addingTimeInterval(20)
        while done.withLock({ $0 }) < 50 && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        XCTAssertEqual(done.withLock { $0 }, 50)

        // etcd gone: a consistent read fails as a write does; the cache still answers plain reads.
        etcd.process.terminate()
        etcd.process.waitUntilExit()
        guard case .some(.some(.unreachable)) = consistent(a) else { return XCTFail("a consistent read with etcd down") }
        XCTAssertNotNil(a.get(key))
    }
}
