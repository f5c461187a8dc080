import APIMachinery
import ControllerRuntime
import Foundation
import KubeliteTesting
@testable import Node
import Registry
import Storage
import XCTest

/// An in-process cluster with the simulated node's controllers on a manual clock: tests move
/// time with `advance` and wait (with a deadline, polling) for the controllers to catch up.
final class NodeTestCluster {
    let timers: ManualTimers
    let registry: Registry
    let context: ControllerContext
    let controllers: [any Controller]

    init(_ options: SimulatedNodeOptions = SimulatedNodeOptions(), runtime: ProcessPodRuntime? = nil,
         timers: ManualTimers = ManualTimers(), start: Bool = true) throws {
        self.timers = timers
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream, clock: timers)
        try registry.bootstrap()
        try registry.enforceBootstrapRBAC()
        try NodeTestIdentity.provide(registry)
        context = ControllerContext(registry: registry, timers: timers)
        controllers = SimulatedNode.controllers(options: options, runtime: runtime)
        if start { ControllerManager.start(controllers, context: context) }
    }

    deinit { registry.stopWatches() }

    var kubelet: KubeletSimulator { controllers.compactMap { $0 as? KubeletSimulator }[0] }

    func store(_ plural: String, group: String = "") -> ResourceStore { registry.store(group: group, plural: plural)! }

    static func podBody(_ name: String, image: String = "redis:5-alpine", namespace: String = "default",
                        annotations: JSONObject = [:], spec extra: JSONObject = [:], container extraContainer: JSONObject = [:]) -> JSON {
        var container: JSONObject = ["name": "redis", "image": .string(image)]
        for (k, v) in extraContainer { container[k] = v }
        var spec: JSONObject = ["containers": [.object(container)]]
        for (k, v) in extra { spec[k] = v }
        var metadata: JSONObject = ["name": .string(name), "namespace": .string(namespace)]
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": .object(spec)]
    }

    @discardableResult
    func createPod(_ body: JSON) throws -> JSON {
        let namespace = body[path: "metadata", "namespace"]?.stringValue ?? "default"
        return try store("pods").create(namespace: namespace, body: RequestBody(value: body), options: WriteOptions()).object
    }

    func pod(_ name: String, namespace: String = "default") -> JSON? {
        try? store("pods").get(namespace: namespace, name: name).object
    }

    func patchPod(_ name: String, _ patch: JSON, namespace: String = "default") throws {
        _ = try store("pods").patch(namespace: namespace, name: name, type: .merge, patch: RequestBody(value: patch), options: WriteOptions())
    }

    func events(about name: String, namespace: String = "default") -> [JSON] {
        store("events").list(namespace: namespace).items.map(\.object)
            .filter { $0[path: "involvedObject", "name"]?.stringValue == name }
    }

    func eventReasons(about name: String) -> [String] {
        events(about: name).compactMap { $0["reason"]?.stringValue }
    }

    func advance(_ duration: Duration) { timers.advance(by: duration) }

    /// Waits until the kubelet has worked off everything queued so far (work that falls due in
    /// `advance` is queued before `advance` returns), so a test can check that nothing happened.
    func settle(file: StaticString = #filePath, line: UInt = #line) {
        waitUntil("kubelet idle", file: file, line: line) { kubelet.isIdle }
    }

    static func condition(_ pod: JSON?, _ type: String) -> JSON? {
        pod?[path: "status", "conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }
}

