import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

/// An in-process cluster for the ReplicaSet and Deployment controllers: registry over memory
/// storage, a manual clock, and the controllers running. There is no node: pods get their status
/// from the test, through `pods/status` as a kubelet would write it.
final class WorkloadHarness: @unchecked Sendable {
    let timers = ManualTimers()
    let registry: Registry
    let context: ControllerContext
    let replicaSets = ReplicaSetController()
    let replicationControllers = ReplicaSetController(kind: .replicationController)
    let deployments: DeploymentController?
    let daemonSets = DaemonSetController()

    init(deployments withDeployments: Bool = false) throws {
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream, clock: timers)
        try registry.bootstrap()
        try registry.enforceBootstrapRBAC()
        context = ControllerContext(registry: registry, timers: timers)
        deployments = withDeployments ? DeploymentController() : nil
        ControllerManager.start([replicaSets, replicationControllers, daemonSets] + (deployments.map { [$0] } ?? []), context: context)
    }

    deinit { registry.stopWatches() }

    func store(_ group: String, _ plural: String) -> ResourceStore { registry.store(group: group, plural: plural)! }

    static func template(_ app: String, image: String = "nginx:1") -> JSON {
        ["metadata": ["labels": ["app": .string(app)]],
         "spec": ["containers": [["name": "web", "image": .string(image)]]]]
    }

    /// Replaces the template's one container with `image` (a template change, as `kubectl set image`).
    static func setImage(_ object: inout JSON, _ image: String) {
        object[path: "spec", "template", "spec", "containers"] = [["name": "web", "image": .string(image)]]
    }

    static func image(_ set: ReplicaSetView) -> String {
        set.template[path: "spec", "containers"]?.arrayValue?.first?["image"]?.stringValue ?? ""
    }

    static func replicaSet(_ name: String, replicas: Int, extra: (inout JSON) -> Void = { _ in }) -> JSON {
        var set: JSON = [
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": .string(name)],
            "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]], "template": template(name)],
        ]
        extra(&set)
        return set
    }

    static func deployment(_ name: String, replicas: Int, extra: (inout JSON) -> Void = { _ in }) -> JSON {
        var d: JSON = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
            "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]], "template": template(name)],
        ]
        extra(&d)
        return d
    }

    @discardableResult
    func create(_ plural: String, _ object: JSON, group: String = "apps") throws -> JSON {
        try store(group, plural).create(namespace: "default", body: RequestBody(value: object), options: WriteOptions()).object
    }

    func get(_ plural: String, _ name: String, group: String = "apps") -> JSON {
        (try? store(group, plural).get(namespace: "default", name: name))?.object ?? .null
    }

    func list(_ plural: String, group: String = "apps") -> [JSON] {
        store(group, plural).list(namespace: "default").items.map(\.object)
    }

    /// Changes an object through an update, retrying conflicts with the controllers' writes.
    func modify(_ plural: String, _ name: String, group: String = "apps", file: StaticString = #filePath, line: UInt = #line,
                _ change: (inout JSON) -> Void) throws {
        for _ in 0..<50 {
            var object = get(plural, name, group: group)
            change(&object)
            do {
                _ = try store(group, plural).update(namespace: "default", name: name, body: RequestBody(value: object), options: WriteOptions())
                return
            } catch {
                if error.code != 409 { throw error }
            }
        }
        XCTFail("\(name) kept conflicting", file: file, line: line)
    }

    /// Live pods (not being deleted), by name.
    func pods(owner: String? = nil) -> [JSON] {
        list("pods", group: "").filter { pod in
            !pod.meta.isBeingDeleted && (owner == nil || pod.meta.controllerRef?.name == owner)
        }.sorted { $0.meta.name < $1.meta.name }
    }

    /// Sets a pod's phase and Ready condition through pods/status, as the kubelet would.
    func setPodStatus(_ name: String, ready: Bool = true, phase: String = "Running") throws {
        let store = store("", "pods")
        try retryOnConflict {
            var pod = try store.get(namespace: "default", name: name).object
            pod["status"] = [
                "phase": .string(phase),
                "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False"),
                                "lastProbeTime": nil, "lastTransitionTime": .string(Timestamp.format(timers.now()))]],
                "podIP": "10.244.0.10",
            ]
            _ = try StatusStore(store: store).update(namespace: "default", name: name, body: RequestBody(value: pod), options: WriteOptions())
        }
    }

    /// Marks every live pod without a Ready condition ready (a kubelet starting what is scheduled).
    func readyAll(owner: String? = nil) throws {
        for pod in pods(owner: owner) where PodView(pod).condition("Ready") == nil {
            try setPodStatus(pod.meta.name)
        }
    }

    /// Pods deleted with a grace period are only marked; a kubelet would remove them. Here they go at once.
    func removeTerminating() throws {
        for pod in list("pods", group: "") where pod.meta.isBeingDeleted {
            var options = DeleteOptions()
            options.gracePeriodSeconds = 0
            _ = try? store("", "pods").delete(namespace: "default", name: pod.meta.name, options: options)
        }
    }

    func events(_ name: String) -> [(reason: String, message: String)] {
        list("events", group: "").filter { $0[path: "involvedObject", "name"]?.stringValue == name }
            .map { ($0["reason"]?.stringValue ?? "", $0["message"]?.stringValue ?? "") }
    }

    @discardableResult
    func waitUntil(_ what: String, timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line,
                   _ condition: () throws -> Bool) rethrows -> Bool {
        try KubeliteTesting.waitUntil(what, timeout: timeout, file: file, line: line, condition)
    }

    /// Waits until the controllers have acted on every change so far (see StatefulSetHarness.settle).
    func settle(file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let revision = registry.storage.currentRevision
            HubBarrier.pass(registry)
            while !(replicaSets.isIdle && (deployments?.isIdle ?? true)), Date() < deadline { usleep(1_000) }
            if replicaSets.isIdle, deployments?.isIdle ?? true, registry.storage.currentRevision == revision { return }
        }
        XCTFail("the controllers did not settle", file: file, line: line)
    }
}
