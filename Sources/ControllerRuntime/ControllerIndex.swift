import APIMachinery
import Storage
import Synchronization

/// Something kept beside an informer's cache and changed with it: `apply` runs under the
/// informer's lock for every change, before the change's revision becomes the informer's
/// `lastSyncRevision`. So a reader that has seen that revision (a controller comparing it with its
/// own writes) also finds the index up to date, which a handler-maintained map could not promise:
/// handlers run after the revision has moved.
public protocol InformerIndex: AnyObject, Sendable {
    /// One object changed: `old` is what the cache held (nil: added), `new` what it holds now (nil:
    /// deleted), as stored: an index keeping the object keeps its bytes, not a tree the decoded tree
    /// cache could no longer evict. Runs under the informer's lock: must not call back into the informer.
    func apply(_ key: Informer.ObjectName, old: JSON?, new: StoredObject?)
}

/// A value derived once per object version (upstream controllers re-read pods on every sync;
/// deriving at change time makes a sync's cost a walk over ready values), grouped by the uid of the
/// object's controller, with objects without a controller grouped by namespace: what a workload
/// controller claims from (its own, and the orphans it may adopt). An object is in exactly one group.
public final class ControllerIndex<Value: Sendable>: InformerIndex {
    private let derive: @Sendable (StoredObject) -> Value
    private let state = Mutex(Groups())

    private struct Groups {
        var controlled: [String: [Informer.ObjectName: Value]] = [:]
        var uncontrolled: [String: [String: Value]] = [:]
    }

    public init(_ derive: @escaping @Sendable (StoredObject) -> Value) { self.derive = derive }

    public func apply(_ key: Informer.ObjectName, old: JSON?, new: StoredObject?) {
        let value = new.map(derive)
        state.withLock { groups in
            if let old { Self.remove(key, controller: old.meta.controllerRef?.uid, &groups) }
            guard let new, let value else { return }
            if let uid = new.object.meta.controllerRef?.uid {
                groups.controlled[uid, default: [:]][key] = value
            } else {
                groups.uncontrolled[key.namespace, default: [:]][key.name] = value
            }
        }
    }

    private static func remove(_ key: Informer.ObjectName, controller: String?, _ groups: inout Groups) {
        if let uid = controller {
            groups.controlled[uid]?[key] = nil
            if groups.controlled[uid]?.isEmpty == true { groups.controlled[uid] = nil }
        } else {
            groups.uncontrolled[key.namespace]?[key.name] = nil
            if groups.uncontrolled[key.namespace]?.isEmpty == true { groups.uncontrolled[key.namespace] = nil }
        }
    }

    /// The values of the objects whose controller reference names `uid`.
    public func controlled(by uid: String) -> [Value] {
        state.withLock { groups in groups.controlled[uid].map { Array($0.values) } ?? [] }
    }

    /// The values of the objects of `namespace` without a controller reference.
    public func uncontrolled(namespace: String) -> [Value] {
        state.withLock { groups in groups.uncontrolled[namespace].map { Array($0.values) } ?? [] }
    }
}
