import APIMachinery
@testable import ControllerRuntime
import Foundation
import KubeliteTesting
import Registry
import Storage
import Synchronization
import XCTest

/// Controllers of one leadership term stop together: their timers, queues and informers.
final class RunningControllersTests: XCTestCase {
    let registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)

    override func setUpWithError() throws { try registry.bootstrap() }
    override func tearDown() { registry.stopWatches() }

    /// Syncs every ConfigMap it hears of, recording the keys.
    final class ConfigMapRecorder: Controller, @unchecked Sendable {
        let name = "configmap-recorder"
        let synced = Mutex<[String]>([])
        var queue: WorkQueue<String>!
        var informer: Informer!

        func register(_ context: ControllerContext) {
            let queue = WorkQueue<String>(name: name, timers: context.timers)
            informer = context.informer(GroupResource(group: "", resource: "configmaps"))
            informer.addHandler(Informer.Handler(added: { queue.add($0.meta.key) }))
            self.queue = queue
        }

        func start(_ context: ControllerContext) {
            queue.run(workers: 1) { [self] key in synced.withLock { $0.append(key) } }
        }
    }

    func create(_ name: String) throws {
        let object: JSON = ["metadata": ["name": .string(name), "namespace": "default"]]
        _ = try registry.store(group: "", plural: "configmaps")!.create(namespace: "default", body: RequestBody(value: object), options: WriteOptions())
    }

    func testStoppingEndsInformersQueuesAndTimers() throws {
        let timers = ManualTimers()
        let recorder = ConfigMapRecorder()
        let running = RunningControllers([recorder], registry: registry, timers: timers, logger: .init(label: "test"))
        try create("a")
        waitUntil("a synced") { recorder.synced.withLock { $0 } == ["default/a"] }
        let fired = Mutex(false)
        running.context.timers.after(.seconds(5)) { fired.withLock { $0 = true } }

        running.stop()
        try create("b")
        // A watch that still runs sees b; by then the stopped informer would have, were it running.
        let witness = Informer(resource: "configmaps")
        witness.start(ResourceStoreListerWatcher(store: registry.store(group: "", plural: "configmaps")!), timers: timers)
        XCTAssertTrue(witness.waitForSync())
        XCTAssertNotNil(witness.get(namespace: "default", name: "b"))
        XCTAssertNil(recorder.informer.get(namespace: "default", name: "b"))
        recorder.queue.add("default/c")
        XCTAssertEqual(recorder.queue.length, 0, "a shut-down queue takes no keys")
        timers.advance(by: .seconds(10))
        XCTAssertFalse(fired.withLock { $0 }, "timers dropped")
        XCTAssertEqual(recorder.synced.withLock { $0 }, ["default/a"])
        witness.stop()
    }

    func testWorkRegisteredForTheStopRunsOnceEvenAfterIt() {
        let timers = StoppableTimers(ManualTimers())
        let count = Mutex(0)
        timers.whenStopped { count.withLock { $0 += 1 } }
        timers.stop()
        timers.stop()
        XCTAssertEqual(count.withLock { $0 }, 1)
        timers.whenStopped { count.withLock { $0 += 1 } }
        XCTAssertEqual(count.withLock { $0 }, 2)
    }
}
