import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

/// An in-process cluster for the Job, TTL-after-finished and CronJob controllers on a manual
/// clock. There is no node: the test ends pods through `pods/status` as a kubelet would, and
/// removes deleted pods itself.
final class JobHarness: @unchecked Sendable {
    let timers = ManualTimers()
    let registry: Registry
    let context: ControllerContext
    let jobs = JobController()
    let ttl = TTLAfterFinishedController()
    let cronJobs = CronJobController()

    init() throws {
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream, clock: timers)
        try registry.bootstrap()
        try registry.enforceBootstrapRBAC()
        context = ControllerContext(registry: registry, timers: timers)
        ControllerManager.start([jobs, ttl, cronJobs], context: context)
    }

    deinit { registry.stopWatches() }

    func store(_ group: String, _ plural: String) -> ResourceStore { registry.store(group: group, plural: plural)! }

    static func job(_ name: String, command: String = "exit 0", extra: (inout JSON) -> Void = { _ in }) -> JSON {
        var job: JSON = [
            "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)],
            "spec": ["template": ["spec": ["restartPolicy": "Never",
                                           "containers": [["name": "c", "image": "busybox", "command": ["sh", "-c", .string(command)]]]]]],
        ]
        extra(&job)
        return job
    }

    @discardableResult
    func create(_ plural: String, _ object: JSON, group: String = "batch") throws -> JSON {
        try store(group, plural).create(namespace: "default", body: RequestBody(value: object), options: WriteOptions()).object
    }

    func get(_ plural: String, _ name: String, group: String = "batch") -> JSON? {
        try? store(group, plural).get(namespace: "default", name: name).object
    }

    func job(_ name: String) -> JobView { JobView(get("jobs", name) ?? .null) }

    func modify(_ plural: String, _ name: String, group: String = "batch", _ change: (inout JSON) -> Void) throws {
        try retryOnConflict {
            var object = try store(group, plural).get(namespace: "default", name: name).object
            change(&object)
            _ = try store(group, plural).update(namespace: "default", name: name, body: RequestBody(value: object), options: WriteOptions())
        }
    }

    /// Pods of a Job, not being deleted, by name.
    func pods(_ job: String) -> [JSON] {
        store("", "pods").list(namespace: "default").items.map(\.object)
            .filter { $0.meta.controllerRef?.name == job && !$0.meta.isBeingDeleted }
            .sorted { $0.meta.name < $1.meta.name }
    }

    func allPods() -> [JSON] { store("", "pods").list(namespace: "default").items.map(\.object) }

    /// Sets a pod's phase (and Ready when Running) through pods/status, as the kubelet would.
    func setPhase(_ name: String, _ phase: String, restarts: Int = 0, exitCode: Int? = nil) throws {
        let pods = store("", "pods")
        let terminal = phase == "Succeeded" || phase == "Failed"
        try retryOnConflict {
            var pod = try pods.get(namespace: "default", name: name).object
            pod["status"] = ["phase": .string(phase),
                             "conditions": [["type": "Ready", "status": .string(phase == "Running" ? "True" : "False")]],
                             "containerStatuses": [["name": "c", "restartCount": .int(Int64(restarts)), "ready": .bool(phase == "Running"),
                                                    "image": "busybox", "imageID": "", "started": false,
                                                    "state": terminal ? ["terminated": ["exitCode": .int(Int64(exitCode ?? (phase == "Failed" ? 1 : 0))),
                                                                                        "finishedAt": .string(Timestamp.format(timers.now()))]] : [:]]]]
            _ = try StatusStore(store: pods).update(namespace: "default", name: name, body: RequestBody(value: pod), options: WriteOptions())
        }
    }

    /// Binds a pod to a node through pods/binding, as the scheduler would (a bound pod is deleted gracefully).
    func bind(_ name: String) throws {
        let binding: JSON = ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": .string(name)],
                             "target": ["kind": "Node", "name": "kubelite-node"]]
        _ = try BindingStore(pods: store("", "pods"))!.create(namespace: "default", name: name, binding: binding, options: WriteOptions())
    }

    /// Removes pods marked for deletion once nothing holds them, as a kubelet with no grace would.
    func removeTerminating() {
        for pod in allPods() where pod.meta.isBeingDeleted {
            var options = DeleteOptions()
            options.gracePeriodSeconds = 0
            _ = try? store("", "pods").delete(namespace: "default", name: pod.meta.name, options: options)
        }
    }

    func events(_ name: String) -> [String] {
        store("", "events").list(namespace: "default").items.map(\.object)
            .filter { $0[path: "involvedObject", "name"]?.stringValue == name }
            .map { "\($0["reason"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")" }
    }

    @discardableResult
    func waitUntil(_ what: String, timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line,
                   _ condition: () throws -> Bool) rethrows -> Bool {
        try KubeliteTesting.waitUntil(what, timeout: timeout, file: file, line: line, condition)
    }

    /// Waits until the controllers have acted on every change so far.
    func settle(file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let revision = registry.storage.currentRevision
            HubBarrier.pass(registry)
            while !(jobs.isIdle && ttl.isIdle && cronJobs.isIdle), Date() < deadline { usleep(1_000) }
            if jobs.isIdle, ttl.isIdle, cronJobs.isIdle, registry.storage.currentRevision == revision { return }
        }
        XCTFail("the controllers did not settle", file: file, line: line)
    }
}
