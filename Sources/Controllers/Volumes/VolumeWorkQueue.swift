import APIMachinery
import ControllerRuntime
import Logging
import Synchronization

/// What the volume controllers queue: a claim (`namespace/name`) or a volume (cluster-scoped).
enum VolumeWorkKey: Hashable, Sendable {
    case claim(namespace: String, name: String)
    case volume(name: String)

    static func claim(_ object: JSON) -> VolumeWorkKey {
        .claim(namespace: object.meta.namespace, name: object.meta.name)
    }
    static func volume(_ object: JSON) -> VolumeWorkKey {
        .volume(name: object.meta.name)
    }
}

/// Holds a controller's queue: the controllers are value types, and the queue is made in
/// `register` once the context (and its timers) is known.
final class VolumeQueueSlot: Sendable {
    private let slot = Mutex<WorkQueue<VolumeWorkKey>?>(nil)

    func install(_ queue: WorkQueue<VolumeWorkKey>) { slot.withLock { $0 = queue } }

    func add(_ key: VolumeWorkKey) { slot.withLock { $0 }?.add(key) }

    var queue: WorkQueue<VolumeWorkKey>? { slot.withLock { $0 } }

    /// Runs one worker: a sync that returns false is retried with backoff, as client-go's
    /// controllers requeue failed keys rate-limited.
    func run(logger: Logger, _ sync: @escaping @Sendable (VolumeWorkKey) -> Bool) {
        queue?.run(workers: 1, logger: logger, reconcile: sync)
    }

    /// Starts a volume controller's worker: every claim and volume is queued once now and again
    /// every `resyncPeriod`, and each key is reconciled by `sync`.
    func start(_ context: ControllerContext, resyncPeriod: Duration, sync: @escaping @Sendable (VolumeWorkKey) -> Bool) {
        let claims = context.informer(VolumeKeys.claims)
        let volumes = context.informer(VolumeKeys.volumes)
        let allKeys: @Sendable () -> [VolumeWorkKey] = {
            claims.list().map { VolumeWorkKey.claim($0) } + volumes.list().map { VolumeWorkKey.volume($0) }
        }
        for key in allKeys() { add(key) }
        run(logger: context.logger, sync)
        resync(every: resyncPeriod, timers: context.timers, keys: allKeys)
    }

    /// Re-adds every key `keys` lists, every `period`, for as long as the process runs.
    func resync(every period: Duration, timers: any Timers, keys: @escaping @Sendable () -> [VolumeWorkKey]) {
        timers.after(period) { [self] in
            for key in keys() { add(key) }
            resync(every: period, timers: timers, keys: keys)
        }
    }
}

extension VolumeWorkKey {
    /// One reconciliation of this key, shared by the volume controllers: the object is read from the
    /// informer caches and handed to `claim` or `volume`; an object gone meanwhile (absent, or a 404
    /// while writing) counts as done, since its deletion brings the next sync. False asks for a retry.
    func reconcile(_ context: ControllerContext, component: String,
                   claim: (PersistentVolumeClaimView) throws(APIError) -> Void,
                   volume: (PersistentVolumeView) throws(APIError) -> Void) -> Bool {
        do {
            switch self {
            case .claim(let namespace, let name):
                guard let object = context.informer(VolumeKeys.claims).get(namespace: namespace, name: name) else { return true }
                try claim(PersistentVolumeClaimView(object))
            case .volume(let name):
                guard let object = context.informer(VolumeKeys.volumes).get(namespace: "", name: name) else { return true }
                try volume(PersistentVolumeView(object))
            }
            return true
        } catch {
            if error.isNotFound { return true }
            context.logger.debug("\(component) sync failed", metadata: ["key": "\(self)", "error": "\(error.message)"])
            return false
        }
    }
}
