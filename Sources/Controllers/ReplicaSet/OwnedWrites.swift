import APIMachinery
import ControllerRuntime
import Synchronization

/// The revisions of a controller's own writes of dependents (pods, ReplicaSets), per owner key, so
/// a sync never acts on a cache that has not yet seen them (what upstream's ControllerExpectations
/// guard against: a pod just created is missing from the cache and would be created again, one
/// just deleted is still listed and would be deleted twice; a ReplicaSet just created would be
/// missing from the revision count).
final class OwnedWrites: Sendable {
    private let written = Mutex<[String: Int64]>([:])

    /// Records an object written for `key` (created, updated, or deleted: the tombstone's revision).
    func wrote(_ key: String, _ object: JSON) {
        guard let revision = Int64(object.meta.resourceVersion) else { return }
        written.withLock { all in all[key] = max(all[key] ?? 0, revision) }
    }

    func forget(_ key: String) {
        _ = written.withLock { $0.removeValue(forKey: key) }
    }

    /// Nil when `cache` has every write recorded for `key`; otherwise why the sync waits (the
    /// write's own watch event brings the key back).
    func staleness(_ key: String, cache: Informer) -> CacheLag? {
        guard let wrote = written.withLock({ $0[key] }) else { return nil }
        let read = cache.lastSyncRevision
        if read < wrote {
            return CacheLag(description: "read version: \(read) is not as new as written version: \(wrote) for group resource \(cache.resource)")
        }
        written.withLock { all in if let current = all[key], current <= wrote { all[key] = nil } }
        return nil
    }
}

/// A cache lags this controller's own writes: requeued, logged at debug only.
struct CacheLag: ExpectedRequeue, CustomStringConvertible {
    var description: String
}

/// A write conflicted with another writer (a user's update, the other workload controller's
/// status write): the conflicting write's own event brings the key back, so it is retried
/// without being reported as an error.
struct WriteConflict: ExpectedRequeue, CustomStringConvertible {
    var description: String

    /// Runs a sync, turning a 409 Conflict into a `WriteConflict`.
    static func requeueing(_ sync: () throws -> Void) throws {
        do { try sync() } catch let error as APIError where error.isConflict {
            throw WriteConflict(description: error.message)
        }
    }
}
