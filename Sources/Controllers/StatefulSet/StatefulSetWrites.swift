import APIMachinery
import ControllerRuntime
import Synchronization

/// The revisions of the controller's own pod and claim writes, per StatefulSet, so a sync never
/// acts on caches that have not yet seen them (the read-your-own-writes check newer upstream
/// controllers make before acting on their caches).
///
/// Without it a sync that runs again at once (the set was re-added while it was being synced)
/// reads the pod cache from before its own writes: a pod it just deleted is still listed and is
/// deleted again (a `FailedDelete` event with a NotFound or Precondition failed answer), a pod it
/// just created is missing and is created again (AlreadyExists). Pods deleted without a grace
/// period (not yet on a node) make that window common here.
final class StatefulSetWrites: Sendable {
    private struct Written {
        var pods: Int64 = 0
        var claims: Int64 = 0
    }

    private let written = Mutex<[String: Written]>([:])

    /// Records a pod the controller wrote (created, updated, or deleted: the tombstone's revision).
    func wrotePod(_ set: StatefulSetObject, _ object: JSON) {
        guard let revision = Int64(object.meta.resourceVersion) else { return }
        written.withLock { $0[set.object.meta.key, default: Written()].pods.formMax(revision) }
    }

    func wroteClaim(_ set: StatefulSetObject, _ object: JSON) {
        guard let revision = Int64(object.meta.resourceVersion) else { return }
        written.withLock { $0[set.object.meta.key, default: Written()].claims.formMax(revision) }
    }

    /// Drops what is known about a set that is gone.
    func forget(_ key: String) {
        _ = written.withLock { $0.removeValue(forKey: key) }
    }

    /// Nil when the caches reflect every write recorded for `key` (the record is then dropped:
    /// cache revisions only grow); otherwise why the sync must wait. The
    /// write's own watch event wakes the set again once the cache has it.
    func staleness(_ key: String, pods: Informer, claims: Informer) -> String? {
        guard let wrote = written.withLock({ $0[key] }) else { return nil }
        let podsRead = pods.lastSyncRevision
        if podsRead < wrote.pods {
            return "read version: \(podsRead) is not as new as written version: \(wrote.pods) for group resource pods"
        }
        let claimsRead = claims.lastSyncRevision
        if claimsRead < wrote.claims {
            return "read version: \(claimsRead) is not as new as written version: \(wrote.claims) for group resource persistentvolumeclaims"
        }
        written.withLock { all in
            if let current = all[key], current.pods <= wrote.pods, current.claims <= wrote.claims { all[key] = nil }
        }
        return nil
    }
}

extension Int64 {
    fileprivate mutating func formMax(_ other: Int64) { self = Swift.max(self, other) }
}
