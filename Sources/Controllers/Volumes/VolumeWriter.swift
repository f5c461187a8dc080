import APIMachinery
import ControllerRuntime
import Registry
import Synchronization

/// Writes of the volume controllers, through the registry like any client. Every update carries
/// the resourceVersion of the object the decision was made on, so a decision taken on a stale
/// cache fails with a conflict (and is retried) instead of overwriting newer state.
struct VolumeWriter {
    let context: ControllerContext

    var claims: ResourceClient { context.client(VolumeKeys.claims) }
    var volumes: ResourceClient { context.client(VolumeKeys.volumes) }

    @discardableResult
    func updateClaim(_ claim: JSON, status: Bool = false) throws(APIError) -> JSON {
        try update(claims, claim, namespace: claim.meta.namespace, status: status)
    }

    @discardableResult
    func updateVolume(_ volume: JSON, status: Bool = false) throws(APIError) -> JSON {
        try update(volumes, volume, namespace: nil, status: status)
    }

    private func update(_ store: ResourceClient, _ object: JSON, namespace: String?, status: Bool) throws(APIError) -> JSON {
        let name = object.meta.name
        let body = RequestBody(value: object)
        if status {
            return try store.updateStatus(namespace: namespace, name: name, body: body, options: WriteOptions()).object
        }
        return try store.update(namespace: namespace, name: name, body: body, options: WriteOptions()).object
    }

    /// Sets a volume's phase (and upstream's lastPhaseTransitionTime) through the status endpoint.
    @discardableResult
    func setVolumePhase(_ volume: JSON, _ phase: String, message: String? = nil) throws(APIError) -> JSON {
        var updated = volume
        if PersistentVolumeView(volume).phase != phase {
            updated[path: "status", "lastPhaseTransitionTime"] = .string(Timestamp.format(context.timers.now()))
        }
        updated[path: "status", "phase"] = .string(phase)
        updated[path: "status", "message"] = message.map { .string($0) }
        if updated == volume { return volume }
        return try updateVolume(updated, status: true)
    }

    /// Removes one finalizer, keeping the others; the object goes once none is left and it is
    /// being deleted.
    func removeFinalizer(_ finalizer: String, from object: JSON, store: ResourceClient) throws(APIError) {
        var updated = object
        updated.meta.finalizers = object.meta.finalizers.filter { $0 != finalizer }
        _ = try update(store, updated, namespace: Self.namespace(of: object), status: false)
    }

    /// Adds a finalizer an object created before admission added it should have.
    func addFinalizer(_ finalizer: String, to object: JSON, store: ResourceClient) throws(APIError) {
        var updated = object
        updated.meta.finalizers = object.meta.finalizers + [finalizer]
        _ = try update(store, updated, namespace: Self.namespace(of: object), status: false)
    }

    /// The namespace a write names: none for a cluster-scoped volume.
    private static func namespace(of object: JSON) -> String? {
        object.meta.namespace.isEmpty ? nil : object.meta.namespace
    }
}

/// Records each distinct event about an object once: upstream's recorder folds repeats into a
/// count, and the controllers here look at a waiting claim on every resync.
final class VolumeEventLog: Sendable {
    private let seen = Mutex<Set<String>>([])

    func record(_ context: ControllerContext, _ object: JSON, _ type: EventRecorder.EventType, _ reason: String,
                _ message: String, component: String) {
        let uid = object.meta.uid
        let key = "\(uid)\u{0}\(reason)\u{0}\(message)"
        let isNew = seen.withLock { $0.insert(key).inserted }
        if isNew { context.events.record(object, type: type, reason: reason, message: message, component: component) }
    }
}
