import APIMachinery
import Dispatch
import Foundation
import Storage

/// What apiextensions-apiserver's own controllers do, inside the API server as upstream runs them:
/// the NamingConditionController (accepted names, NamesAccepted with its conflicts), the
/// EstablishingController (Established), the CRD finalizer (customresourcecleanup: delete every
/// custom object, then release the CRD) and the crdHandler's serving of Established CRDs.
///
/// It follows the CRDs through a storage listener (not a watch: it is part of the server, not one
/// of its clients, and counts among no watchers); every CRD is synced one at a time on one serial
/// queue (upstream runs one naming worker, as name reservation is not safe in parallel). Every
/// write goes through the CRD store and its status store like a client's.
final class CustomResourceDefinitionController: @unchecked Sendable {
    let crds: ResourceStore
    let serving: CustomResourceServing
    private let queue = DispatchQueue(label: "kubelite.customresourcedefinitions")
    private var pending: Set<String> = []
    private let lock = NSLock()
    private var listener: ListenerToken?
    /// How long a cleanup waits before looking again at objects held by their finalizers.
    static let cleanupRecheck: DispatchTimeInterval = .milliseconds(500)

    init(crds: ResourceStore, serving: CustomResourceServing) {
        self.crds = crds
        self.serving = serving
    }

    deinit {
        if let listener { crds.storage.removeListener(listener) }
    }

    /// Starts following the CRDs; those already stored are synced first.
    func start() {
        let resource = crds.storageResourceName
        listener = crds.storage.addListener { [weak self] event in
            // Listeners run under the storage's lock: only hand the name over.
            guard event.object.key.resource == resource else { return }
            self?.enqueue(event.object.key.name)
        }
        for crd in crds.list(namespace: nil).items { enqueue(crd.key.name) }
    }

    /// Repeated adds of a name not yet synced collapse, as in client-go's work queue.
    func enqueue(_ name: String, after delay: DispatchTimeInterval? = nil) {
        let work: @Sendable () -> Void = { [self] in
            lock.lock()
            let added = pending.insert(name).inserted
            lock.unlock()
            guard added else { return }
            queue.async { [self] in
                lock.lock(); pending.remove(name); lock.unlock()
                sync(name)
            }
        }
        if let delay { DispatchQueue.global().asyncAfter(deadline: .now() + delay, execute: work) } else { work() }
    }

    // MARK: sync

    func sync(_ name: String) {
        guard let stored = try? crds.get(namespace: nil, name: name) else {
            // Gone: its names are free for the others of its group.
            let group = serving.definition(named: name)?.group ?? String(name.split(separator: ".", maxSplits: 1).last ?? "")
            serving.remove(name)
            requeueOthers(inGroup: group, except: name)
            return
        }
        let crd = CustomResourceDefinitionView(stored.object)
        if crd.isBeingDeleted {
            // Terminating: still served (objects are read and deleted), created no more.
            if serving.definition(named: name) != nil { serving.install(stored) }
            if crd.finalizers.contains(CustomResourceDefinitionDeletion.cleanupFinalizer) { cleanUp(stored) }
            return
        }
        if !SemanticEquality.equal(crd.names.object, crd.acceptedNames.object) {
            if updateNames(stored) { return }
        }
        if crd.isConditionTrue(CustomResourceDefinitionView.Condition.namesAccepted), !crd.isEstablished {
            establish(stored)
            return
        }
        if crd.isEstablished { serving.install(stored) }
    }

    /// The naming controller's calculateNamesAndConditions: each requested name is taken unless
    /// another CRD of the group has accepted it. Returns whether the status was written.
    private func updateNames(_ stored: StoredObject) -> Bool {
        let crd = CustomResourceDefinitionView(stored.object)
        var resources = Set<String>(), kinds = Set<String>()
        for other in crds.list(namespace: nil).items {
            let view = CustomResourceDefinitionView(other.object)
            guard view.group == crd.group else { continue }
            // Our own stored status is read back too, as upstream's lister returns it.
            let accepted = view.acceptedNames
            resources.formUnion([accepted.plural, accepted.singular] + accepted.shortNames)
            kinds.formUnion([accepted.kind, accepted.listKind])
        }
        let requested = crd.names, accepted = crd.acceptedNames
        var names = accepted.object.objectValue ?? [:]
        var status = "Unknown", reason = "", message = ""
        func conflict(_ why: String, _ error: String) { status = "False"; reason = why; message = error }
        func check(_ requested: String, _ accepted: String, _ used: Set<String>) -> String? {
            if requested == accepted || !used.contains(requested) { return nil }
            return "\"\(requested)\" is already in use"
        }
        if let error = check(requested.plural, accepted.plural, resources) { conflict("PluralConflict", error) } else {
            names["plural"] = .string(requested.plural)
        }
        if let error = check(requested.singular, accepted.singular, resources) { conflict("SingularConflict", error) } else {
            names["singular"] = .string(requested.singular)
        }
        if requested.shortNames != accepted.shortNames {
            let errors = requested.shortNames.compactMap { short -> String? in
                if accepted.shortNames.contains(short) || short == accepted.plural || short == accepted.singular { return nil }
                return check(short, "", resources)
            }
            if errors.isEmpty {
                names["shortNames"] = requested.object["shortNames"]
            } else {
                // utilerrors.NewAggregate: one error as is, several as a bracketed list.
                conflict("ShortNamesConflict", errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]")
            }
        }
        if let error = check(requested.kind, accepted.kind, kinds) { conflict("KindConflict", error) } else {
            names["kind"] = .string(requested.kind)
        }
        if let error = check(requested.listKind, accepted.listKind, kinds) { conflict("ListKindConflict", error) } else {
            names["listKind"] = .string(requested.listKind)
        }
        names["categories"] = requested.object["categories"]
        if status == "Unknown" { status = "True"; reason = "NoConflicts"; message = "no conflicts found" }

        let namesObject = JSON.object(Self.ordered(names))
        if SemanticEquality.equal(namesObject, accepted.object),
           CustomResourceDefinitionConditions.isEquivalent(stored.object, type: "NamesAccepted", status: status, reason: reason, message: message) {
            return false
        }
        var object = stored.object
        object[path: "status", "acceptedNames"] = namesObject
        let now = crds.now()
        CustomResourceDefinitionConditions.set(&object, type: "NamesAccepted", status: status, reason: reason, message: message, now: now)
        // Established starts False: the establishing step sets it once NamesAccepted is seen stored.
        if !crd.isEstablished {
            let (reason, message) = status == "True" ? ("Installing", "the initial names have been accepted")
                                                     : ("NotAccepted", "not all names are accepted")
            if !(crd.condition("Established") != nil && status != "True") {
                CustomResourceDefinitionConditions.set(&object, type: "Established", status: "False", reason: reason, message: message, now: now)
            }
        }
        guard writeStatus(object, stored) else { return true }
        requeueOthers(inGroup: crd.group, except: crd.name)
        return true
    }

    /// The establishing controller: Established once the names are accepted; served from then on.
    private func establish(_ stored: StoredObject) {
        var object = stored.object
        CustomResourceDefinitionConditions.set(&object, type: "Established", status: "True", reason: "InitialNamesAccepted",
                                               message: "the initial names have been accepted", now: crds.now())
        _ = writeStatus(object, stored)
    }

    /// The finalizer controller: Terminating InstanceDeletionInProgress, every custom object deleted
    /// (those with finalizers waited for), then the finalizer removed.
    private func cleanUp(_ stored: StoredObject) {
        let crd = CustomResourceDefinitionView(stored.object)
        var object = stored.object
        let terminating = CustomResourceDefinitionView.Condition.terminating
        if !CustomResourceDefinitionConditions.isEquivalent(object, type: terminating, status: "True", reason: "InstanceDeletionInProgress",
                                                            message: "CustomResource deletion is in progress") {
            CustomResourceDefinitionConditions.set(&object, type: terminating, status: "True", reason: "InstanceDeletionInProgress",
                                                   message: "CustomResource deletion is in progress", now: crds.now())
            _ = writeStatus(object, stored)
            return  // the write brings the CRD back
        }
        var remaining = 0
        if crd.isEstablished, let store = serving.store(GroupResource(group: crd.group, resource: crd.acceptedNames.plural)) {
            for item in store.list(namespace: nil).items {
                let namespace = item.key.namespace.isEmpty ? nil : item.key.namespace
                if item.object[path: "metadata", "deletionTimestamp"] == nil {
                    _ = try? store.delete(namespace: namespace, name: item.key.name, options: DeleteOptions())
                }
                if (try? store.get(namespace: namespace, name: item.key.name)) != nil { remaining += 1 }
            }
        }
        if remaining > 0 {
            enqueue(crd.name, after: Self.cleanupRecheck)
            return
        }
        CustomResourceDefinitionConditions.set(&object, type: terminating, status: "False", reason: "InstanceDeletionCompleted",
                                               message: "removed all instances", now: crds.now())
        _ = writeStatus(object, stored)
        // The finalizer goes through the main resource: the last one removes the CRD.
        let finalizers = crd.finalizers.filter { $0 != CustomResourceDefinitionDeletion.cleanupFinalizer }
        guard let latest = try? crds.get(namespace: nil, name: crd.name) else { return }
        let patch: JSON = ["metadata": ["finalizers": finalizers.isEmpty ? .null : .array(finalizers.map(JSON.string)),
                                        "resourceVersion": .string(String(latest.revision))]]
        do {
            _ = try crds.patch(namespace: nil, name: crd.name, type: .merge, patch: RequestBody(value: patch), options: WriteOptions())
        } catch {
            if error.isConflict { enqueue(crd.name) }
        }
    }

    /// UpdateStatus; a conflict or a deleted CRD is left to the next event, as upstream does.
    private func writeStatus(_ object: JSON, _ stored: StoredObject) -> Bool {
        guard object != stored.object else { return false }
        var body = object
        body[path: "metadata", "resourceVersion"] = .string(String(stored.revision))
        do {
            _ = try StatusStore(store: crds).update(namespace: nil, name: CustomResourceDefinitionView(object).name,
                                                    body: RequestBody(value: body), options: WriteOptions(fieldValidation: .ignore))
            return true
        } catch {
            return false
        }
    }

    private func requeueOthers(inGroup group: String, except name: String) {
        for other in crds.list(namespace: nil).items where other.key.name != name {
            if CustomResourceDefinitionView(other.object).group == group { enqueue(other.key.name) }
        }
    }

    /// acceptedNames in upstream's field order.
    static func ordered(_ names: JSONObject) -> JSONObject {
        var out: JSONObject = [:]
        for key in ["plural", "singular", "shortNames", "kind", "listKind", "categories"] {
            if let value = names[key], value != .null, value != "" { out[key] = value }
        }
        if out["plural"] == nil { out["plural"] = "" }
        if out["kind"] == nil { out["kind"] = "" }
        return out
    }
}
