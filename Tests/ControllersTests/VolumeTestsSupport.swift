import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

/// The volume controllers on an in-process cluster, and builders for the objects the tests use.
struct VolumeCluster {
    let h: ControllerHarness

    init(options: VolumeControllerOptions = VolumeControllerOptions()) throws {
        h = try ControllerHarness()
        ControllerManager.start([
            PersistentVolumeBinder(options: options), SimulatedProvisioner(options: options),
            ClaimProtectionController(), VolumeProtectionController(),
        ], context: h.context)
    }

    /// Polls until `condition` holds or the deadline passes; manual time moves 100 ms per poll so
    /// retries with backoff and resyncs fall due as they would on a clock.
    func settle(_ what: String, timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line,
                _ condition: () -> Bool) -> Bool {
        waitUntil(what, timeout: timeout, file: file, line: line) {
            if condition() { return true }
            h.timers.advance(by: .milliseconds(100))
            return false
        }
    }

    /// Checks that `condition` keeps holding for `duration` of wall time while manual time moves
    /// on (100 ms per poll): for "nothing happens" claims, which have no event to wait for.
    func holds(for duration: TimeInterval = 0.3, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(duration)
        while Date() < end {
            if !condition() { return false }
            h.timers.advance(by: .milliseconds(100))
            usleep(2_000)
        }
        return condition()
    }

    /// Waits until the binder has made each new volume Available: as upstream's FindMatchingVolume,
    /// the binder passes over volumes still Pending, so a claim created earlier may get a larger one.
    func settleAvailable(_ names: [String]) -> Bool {
        settle("volumes available") { names.allSatisfy { phase(ofVolume: $0) == "Available" } }
    }

    func claim(_ name: String) -> JSON? { h.get("persistentvolumeclaims", name) }
    func volume(_ name: String) -> JSON? { h.get("persistentvolumes", name, namespace: nil) }
    func phase(ofClaim name: String) -> String? { claim(name)?[path: "status", "phase"]?.stringValue }
    func phase(ofVolume name: String) -> String? { volume(name)?[path: "status", "phase"]?.stringValue }

    @discardableResult
    func createClass(_ name: String, provisioner: String = "k8s-sigs.io/nfs-subdir-external-provisioner",
                     reclaimPolicy: String = "Delete", bindingMode: String = "Immediate") throws -> JSON {
        try h.create("storageclasses", [
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": ["name": .string(name)],
            "provisioner": .string(provisioner), "reclaimPolicy": .string(reclaimPolicy), "volumeBindingMode": .string(bindingMode),
        ], namespace: nil, group: "storage.k8s.io")
    }

    @discardableResult
    func createClaim(_ name: String, storage: String = "100Mi", modes: [String] = ["ReadWriteMany"], className: String?,
                     selector: JSON? = nil) throws -> JSON {
        var claim: JSON = [
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": .string(name)],
            "spec": ["accessModes": .array(modes.map { .string($0) }), "resources": ["requests": ["storage": .string(storage)]]],
        ]
        if let className { claim[path: "spec", "storageClassName"] = .string(className) }
        if let selector { claim[path: "spec", "selector"] = selector }
        return try h.create("persistentvolumeclaims", claim)
    }

    @discardableResult
    func createVolume(_ name: String, storage: String, modes: [String] = ["ReadWriteOnce"], className: String = "manual",
                      labels: JSON? = nil, reclaimPolicy: String = "Retain") throws -> JSON {
        var volume: JSON = [
            "apiVersion": "v1", "kind": "PersistentVolume", "metadata": ["name": .string(name)],
            "spec": [
                "capacity": ["storage": .string(storage)], "accessModes": .array(modes.map { .string($0) }),
                "storageClassName": .string(className), "persistentVolumeReclaimPolicy": .string(reclaimPolicy),
                "hostPath": ["path": .string("/tmp/\(name)")],
            ],
        ]
        if let labels { volume[path: "metadata", "labels"] = labels }
        return try h.create("persistentvolumes", volume, namespace: nil)
    }

    @discardableResult
    func createPod(_ name: String, claims: [String], nodeName: String? = nil) throws -> JSON {
        var pod: JSON = [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)],
            "spec": [
                "containers": [["name": "app", "image": "redis"]],
                "volumes": .array(claims.enumerated().map { i, claim in
                    ["name": .string("data-\(i)"), "persistentVolumeClaim": ["claimName": .string(claim)]]
                }),
            ],
        ]
        if let nodeName { pod[path: "spec", "nodeName"] = .string(nodeName) }
        return try h.create("pods", pod)
    }

    func delete(_ plural: String, _ name: String, namespace: String? = "default", group: String = "") throws {
        var options = DeleteOptions()
        options.gracePeriodSeconds = 0
        _ = try h.store(plural, group: group).delete(namespace: namespace, name: name, options: options)
    }

    /// Events about an object, as `kubectl describe` lists them.
    func events(about name: String, namespace: String = "default") -> [(type: String, reason: String, message: String)] {
        h.store("events").list(namespace: namespace).items.map(\.object)
            .filter { $0[path: "involvedObject", "name"]?.stringValue == name }
            .map { ($0["type"]?.stringValue ?? "", $0["reason"]?.stringValue ?? "", $0["message"]?.stringValue ?? "") }
    }

    func hasEvent(about name: String, reason: String, message: String? = nil) -> Bool {
        events(about: name).contains { $0.reason == reason && (message == nil || $0.message == message) }
    }
}
