import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

/// An in-process cluster for StatefulSet controller tests: registry over memory storage, a watch
/// hub, a manual clock, and the controller running. Pods get their status from the test (there
/// is no node here), through the `pods/status` subresource as a kubelet would write it.
final class StatefulSetHarness: @unchecked Sendable {
    let timers = ManualTimers()
    let registry: Registry
    let context: ControllerContext
    let podLog = PodLog()
    let controller: StatefulSetController
    let podGate: PodFeedGate?
    private let podWatch: Informer

    /// - Parameter gatePods: feed the controller's pod cache through a `PodFeedGate` (`podGate`)
    ///   instead of straight from the hub, so a test can make it lag.
    init(workers: Int = 2, gatePods: Bool = false) throws {
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream, clock: timers)
        try registry.bootstrap()
        try registry.enforceBootstrapRBAC()
        context = ControllerContext(registry: registry, timers: timers)
        podWatch = Informer(resource: "pods")
        let log = podLog
        podWatch.addHandler(Informer.Handler(added: { log.append("+\($0.meta.name)") }, deleted: { log.append("-\($0.meta.name)") }))
        context.start(podWatch)
        podWatch.waitForSync()
        controller = StatefulSetController(workers: workers)
        if gatePods {
            controller.register(context)
            let gate = PodFeedGate(context.informer(StatefulSetController.pods))
            gate.start(on: registry.store(group: "", plural: "pods")!)
            podGate = gate
            context.startInformers()
            controller.start(context)
        } else {
            podGate = nil
            ControllerManager.start([controller], context: context)
        }
    }

    deinit { registry.stopWatches() }

    /// Pod additions (`+name`) and deletions (`-name`) in the order the watch delivered them.
    final class PodLog: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [String] = []
        func append(_ entry: String) { lock.lock(); entries.append(entry); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return entries }
    }

    func store(_ group: String, _ plural: String) -> ResourceStore { registry.store(group: group, plural: plural)! }

    // MARK: objects

    static func statefulSet(_ name: String, replicas: Int, policy: String = "OrderedReady", claims: Bool = false,
                            extra: (inout JSON) -> Void = { _ in }) -> JSON {
        var set: JSON = [
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": .string(name)],
            "spec": [
                "serviceName": .string("\(name)-svc"), "replicas": .int(Int64(replicas)), "podManagementPolicy": .string(policy),
                "selector": ["matchLabels": ["app": .string(name)]],
                "template": [
                    "metadata": ["labels": ["app": .string(name)]],
                    "spec": ["containers": [["name": "redis", "image": "redis:5-alpine", "ports": [["containerPort": 6379]]]]],
                ],
            ],
        ]
        if claims {
            set[path: "spec", "volumeClaimTemplates"] = [[
                "metadata": ["name": "data"],
                "spec": ["storageClassName": "nfs-client", "accessModes": ["ReadWriteMany"], "resources": ["requests": ["storage": "100Mi"]]],
            ]]
            set[path: "spec", "template", "spec", "containers"] = [[
                "name": "redis", "image": "redis:5-alpine", "volumeMounts": [["name": "data", "mountPath": "/data"]],
            ]]
        }
        extra(&set)
        return set
    }

    @discardableResult
    func create(_ set: JSON) throws -> JSON {
        try store("apps", "statefulsets").create(namespace: "default", body: RequestBody(value: set), options: WriteOptions()).object
    }

    func set(_ name: String) -> JSON { (try? store("apps", "statefulsets").get(namespace: "default", name: name))?.object ?? .null }

    /// Changes a set's spec through an update, as `kubectl apply` or `scale` would, retrying
    /// conflicts with the controller's status writes.
    func modifySet(_ name: String, file: StaticString = #filePath, line: UInt = #line, _ change: (inout JSON) -> Void) throws {
        for _ in 0..<50 {
            var object = set(name)
            change(&object)
            do {
                _ = try store("apps", "statefulsets").update(namespace: "default", name: name, body: RequestBody(value: object), options: WriteOptions())
                return
            } catch {
                if error.code != 409 { throw error }
            }
        }
        XCTFail("\(name) kept conflicting", file: file, line: line)
    }

    func pods(_ prefix: String) -> [JSON] {
        store("", "pods").list(namespace: "default").items.map(\.object)
            .filter { StatefulPod.parentAndOrdinal($0.meta.name).parent == prefix }
            .sorted { StatefulPod.ordinal($0) < StatefulPod.ordinal($1) }
    }

    func podNames(_ prefix: String) -> [String] { pods(prefix).map(\.meta.name) }

    func pod(_ name: String) -> JSON? { (try? store("", "pods").get(namespace: "default", name: name))?.object }

    func claims() -> [JSON] { store("", "persistentvolumeclaims").list(namespace: "default").items.map(\.object) }

    func claim(_ name: String) -> JSON? { (try? store("", "persistentvolumeclaims").get(namespace: "default", name: name))?.object }

    func revisions(_ setName: String) -> [JSON] {
        store("apps", "controllerrevisions").list(namespace: "default").items.map(\.object)
            .filter { $0.meta.name.hasPrefix("\(setName)-") }
            .sorted { ($0["revision"]?.intValue ?? 0) < ($1["revision"]?.intValue ?? 0) }
    }

    /// Events about `setName` in the order they were recorded.
    func events(_ setName: String) -> [(reason: String, message: String, type: String)] {
        store("", "events").list(namespace: "default").items.map(\.object)
            .filter { $0[path: "involvedObject", "name"]?.stringValue == setName }
            .map { ($0["reason"]?.stringValue ?? "", $0["message"]?.stringValue ?? "", $0["type"]?.stringValue ?? "") }
    }

    /// The `count` of the set's event with `reason` (client-go's correlator counts repeats on one event).
    func eventCount(_ setName: String, reason: String) -> Int64? {
        store("", "events").list(namespace: "default").items.map(\.object)
            .first { $0[path: "involvedObject", "name"]?.stringValue == setName && $0["reason"]?.stringValue == reason }?["count"]?.intValue
    }

    /// Sets a pod's phase and Ready condition through pods/status, as the kubelet would.
    func setPodStatus(_ name: String, phase: String = "Running", ready: Bool = true) throws {
        let store = store("", "pods")
        var pod = try store.get(namespace: "default", name: name).object
        pod["status"] = [
            "phase": .string(phase),
            "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False"),
                            "lastProbeTime": nil, "lastTransitionTime": .string(Timestamp.format(timers.now()))]],
            "podIP": "10.244.0.10", "startTime": .string(Timestamp.format(timers.now())),
        ]
        _ = try StatusStore(store: store).update(namespace: "default", name: name, body: RequestBody(value: pod), options: WriteOptions())
    }

    func deletePod(_ name: String) throws {
        _ = try store("", "pods").delete(namespace: "default", name: name, options: DeleteOptions())
    }

    /// Marks pods ready one by one as the controller creates them, until `names` all run.
    func readyInOrder(_ names: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        for name in names {
            waitUntil("\(name) is created", file: file, line: line) { self.pod(name) != nil }
            try setPodStatus(name)
        }
    }

    // MARK: waiting

    /// Polls `condition` until it holds or the deadline passes. `tick` moves the manual clock on
    /// each poll, for conditions that need requeues after a delay.
    @discardableResult
    func waitUntil(_ what: String, timeout: TimeInterval = 10, tick: Duration = .zero,
                   file: StaticString = #filePath, line: UInt = #line, _ condition: () -> Bool) -> Bool {
        KubeliteTesting.waitUntil(what, timeout: timeout, file: file, line: line) {
            if condition() { return true }
            if tick > .zero { timers.advance(by: tick) }
            return false
        }
    }

    /// Waits until the controller has acted on every change made so far, for asserting that
    /// something does not happen: the hub has delivered all changes (so handlers have queued their
    /// keys), the queue has drained, and that round wrote nothing new. Work waiting on the manual
    /// clock (delayed or rate-limited requeues) stays pending. A poll for an idle queue alone is
    /// not enough: on a loaded machine the hub may deliver a change after the queue looked idle.
    func settle(file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let revision = registry.storage.currentRevision
            HubBarrier.pass(registry)
            while !controller.isIdle, Date() < deadline { usleep(1_000) }
            if controller.isIdle, registry.storage.currentRevision == revision { return }
        }
        XCTFail("the controller did not settle", file: file, line: line)
    }

    func status(_ name: String) -> JSON { set(name)["status"] ?? [:] }
}
