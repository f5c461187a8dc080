import APIMachinery
import ControllerRuntime
import Foundation
import OrderedCollections

/// The writes that bring a Service's EndpointSlices to what its pods want.
struct EndpointSlicePlan {
    var create: [JSON] = []
    var update: [JSON] = []
    var delete: [JSON] = []
    /// Pods left out because their Node is unknown: the Service is synced again later.
    var skippedPods: [String] = []
}

/// upstream's EndpointSlice reconciler (k8s.io/endpointslice reconciler.go) for IPv4: endpoints are
/// grouped by the ports they resolve to; existing slices keep the endpoints they hold (updated in
/// place when they change), removed endpoints leave their slice (a slice left empty is deleted),
/// new endpoints fill slices being updated, then one unchanged slice they fit in, then new slices
/// of up to 100. A Service with no endpoints keeps one empty placeholder slice; a slice about to
/// be deleted is reused (renamed create) rather than deleted and recreated.
struct EndpointSliceReconciler {
    let service: JSON
    let triggerTime: Date?

    func plan(pods: [JSON], node: (String) -> JSON?, existing: [JSON]) -> EndpointSlicePlan {
        var plan = EndpointSlicePlan()
        let serviceUID = service.meta.uid
        let publishNotReady = ServiceView(service).publishNotReadyAddresses
        var existingByPorts: OrderedDictionary<JSON, [JSON]> = [:]
        var ipv4Count = 0
        for slice in existing {
            guard slice["addressType"]?.stringValue == "IPv4", ownedByService(slice, uid: serviceUID) else {
                plan.delete.append(slice)
                continue
            }
            ipv4Count += 1
            existingByPorts[Self.portsKey(slice["ports"]), default: []].append(slice)
        }

        var desired: OrderedDictionary<JSON, (ports: [JSON], endpoints: OrderedDictionary<String, JSON>)> = [:]
        for pod in pods where PodEndpointRules.shouldBeInEndpoints(pod, includeTerminating: true) {
            let ports = EndpointSliceLabels.ports(service: service, pod: pod)
            let nodeName = PodView(pod).nodeName
            let podNode = nodeName.isEmpty ? nil : node(nodeName)
            if podNode == nil && !publishNotReady {
                plan.skippedPods.append(pod.meta.name)
                continue
            }
            guard let endpoint = EndpointSliceLabels.endpoint(pod: pod, node: podNode, service: service) else { continue }
            let key = Self.portsKey(.array(ports))
            desired[key, default: (ports, [:])].endpoints[EndpointSliceLabels.identity(endpoint)] = endpoint
        }

        for (key, group) in desired {
            reconcile(existingByPorts[key] ?? [], ports: group.ports, desired: group.endpoints, into: &plan)
        }
        for (key, slices) in existingByPorts where desired[key] == nil { plan.delete += slices }

        if ipv4Count == plan.delete.filter({ $0["addressType"]?.stringValue == "IPv4" && ownedByService($0, uid: serviceUID) }).count,
           plan.create.isEmpty {
            let owned = plan.delete.filter { ownedByService($0, uid: serviceUID) && $0["addressType"]?.stringValue == "IPv4" }
            if owned.count == 1, let only = owned.first, Self.isPlaceholder(only) {
                plan.delete.removeAll { $0.meta.uid == only.meta.uid }
                if !JSON.object(only.meta.orderedLabels).sameContent(as: .object(EndpointSliceLabels.labels(for: service))) {
                    var relabelled = only
                    relabelled.meta.setLabels(EndpointSliceLabels.labels(for: service))
                    plan.update.append(relabelled)
                }
            } else {
                plan.create.append(newSlice(ports: [], endpoints: []))
            }
        }

        // Creates become updates of owned slices that would otherwise be deleted.
        var i = 0
        while i < plan.delete.count, !plan.create.isEmpty {
            let doomed = plan.delete[i]
            guard doomed["addressType"]?.stringValue == "IPv4", ownedByService(doomed, uid: serviceUID) else { i += 1; continue }
            var reused = plan.create.removeLast()
            reused.meta.copy(["name", "uid", "resourceVersion", "creationTimestamp", "annotations", "generateName"], from: doomed.meta)
            plan.update.append(reused)
            plan.delete.remove(at: i)
        }
        plan.create = plan.create.map(stamped)
        plan.update = plan.update.map(stamped)
        return plan
    }

    /// reconcileByPortMapping for one group of endpoints sharing their ports.
    private func reconcile(_ slices: [JSON], ports: [JSON], desired: OrderedDictionary<String, JSON>, into plan: inout EndpointSlicePlan) {
        var remaining = desired
        let labels = EndpointSliceLabels.labels(for: service)
        var updating: [JSON] = []
        var unchanged: [JSON] = []
        for slice in slices {
            let held = slice["endpoints"]?.arrayValue ?? []
            var kept: [JSON] = []
            var changed = false
            for endpoint in held {
                let id = EndpointSliceLabels.identity(endpoint)
                guard let wanted = remaining.removeValue(forKey: id) else { continue }
                if !wanted.sameContent(as: endpoint) { changed = true }
                kept.append(wanted)
            }
            let labelsChanged = !JSON.object(slice.meta.orderedLabels).sameContent(as: .object(labels))
            if changed || kept.count != held.count {
                if kept.isEmpty {
                    plan.delete.append(slice)
                } else {
                    var copy = slice
                    copy["endpoints"] = .array(kept)
                    copy.meta.setLabels(labels)
                    updating.append(copy)
                }
            } else if labelsChanged {
                var copy = slice
                copy.meta.setLabels(labels)
                updating.append(copy)
            } else {
                unchanged.append(slice)
            }
        }
        let max = EndpointSliceLabels.maxEndpointsPerSlice
        for i in updating.indices where !remaining.isEmpty {
            var endpoints = updating[i]["endpoints"]?.arrayValue ?? []
            while endpoints.count < max, !remaining.isEmpty { endpoints.append(remaining.removeFirst().value) }
            updating[i]["endpoints"] = .array(endpoints)
        }
        if !remaining.isEmpty, remaining.count < max,
           let fill = unchanged.filter({ ($0["endpoints"]?.arrayValue ?? []).count + remaining.count <= max })
               .max(by: { ($0["endpoints"]?.arrayValue ?? []).count < ($1["endpoints"]?.arrayValue ?? []).count }) {
            var copy = fill
            copy["endpoints"] = .array((fill["endpoints"]?.arrayValue ?? []) + remaining.values)
            remaining.removeAll()
            updating.append(copy)
        }
        while !remaining.isEmpty {
            let chunk = Array(remaining.values.prefix(max))
            remaining.removeFirst(chunk.count)
            plan.create.append(newSlice(ports: ports, endpoints: chunk))
        }
        plan.update += updating
    }

    /// newEndpointSlice: `<service>-` plus a random suffix, controlled by the Service.
    private func newSlice(ports: [JSON], endpoints: [JSON]) -> JSON {
        let name = service.meta.name
        let owner = OwnerReferenceView(apiVersion: "v1", kind: "Service", name: name, uid: service.meta.uid,
                                       controller: true, blockOwnerDeletion: true)
        return [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": [
                "generateName": .string(name + "-"), "namespace": .string(service.meta.namespace),
                "labels": .object(EndpointSliceLabels.labels(for: service)), "ownerReferences": [owner.object],
            ],
            "addressType": "IPv4",
            "endpoints": endpoints.isEmpty ? .null : .array(endpoints),
            "ports": ports.isEmpty ? .null : .array(ports),
        ]
    }

    /// addTriggerTimeAnnotation: set on every slice written, cleared when nothing triggered.
    private func stamped(_ slice: JSON) -> JSON {
        var slice = slice
        var annotations = slice.meta.orderedAnnotations
        annotations[ServiceRules.triggerTimeAnnotation] = triggerTime.map { .string(Timestamp.format($0)) }
        slice.meta.setAnnotations(annotations.isEmpty ? nil : annotations)
        return slice
    }

    private func ownedByService(_ slice: JSON, uid: String) -> Bool {
        slice.meta.ownerReferences.contains { $0.uid == uid && $0.kind == "Service" }
    }

    static func isPlaceholder(_ slice: JSON) -> Bool {
        (slice["endpoints"]?.arrayValue ?? []).isEmpty && (slice["ports"]?.arrayValue ?? []).isEmpty
    }

    /// Ports compare as a set: null and [] are the same (no ports).
    static func portsKey(_ ports: JSON?) -> JSON {
        let list = (ports?.arrayValue ?? []).map { port -> JSON in
            ["name": port["name"] ?? "", "protocol": port["protocol"] ?? "TCP", "port": port["port"] ?? 0,
             "appProtocol": port["appProtocol"] ?? .null]
        }
        return .array(list.sorted { JSONWriter.encode($0).lexicographicallyPrecedes(JSONWriter.encode($1)) })
    }
}
