import APIMachinery
import Foundation

/// What upstream's admission plugins do to a new claim or volume:
/// - DefaultStorageClass: a claim created without `spec.storageClassName` (and without the beta
///   class annotation) gets the name of the default StorageClass, if there is one;
/// - StorageObjectInUseProtection: claims get the `kubernetes.io/pvc-protection` finalizer and
///   volumes the `kubernetes.io/pv-protection` finalizer, so neither disappears while in use.
public enum PersistentVolumeClaimAdmission {
    public static let claimProtectionFinalizer = VolumeKeys.claimProtection
    public static let volumeProtectionFinalizer = VolumeKeys.volumeProtection
    public static let defaultClassAnnotation = "storageclass.kubernetes.io/is-default-class"
    public static let betaDefaultClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class"
    public static let betaClassAnnotation = VolumeKeys.betaStorageClass

    static func admitClaim(_ claim: inout JSON, cluster: ClusterLookup) {
        addFinalizer(claimProtectionFinalizer, to: &claim)
        let hasBetaClass = claim[path: "metadata", "annotations", betaClassAnnotation] != nil
        let className = claim[path: "spec", "storageClassName"]
        guard className == nil || className == .null, !hasBetaClass else { return }
        if let name = defaultClassName(among: cluster.storageClasses().map(\.object)) {
            claim[path: "spec", "storageClassName"] = .string(name)
        }
    }

    static func admitVolume(_ volume: inout JSON) {
        addFinalizer(volumeProtectionFinalizer, to: &volume)
    }

    /// Whether a StorageClass is marked default (GA or beta annotation set to "true").
    public static func isDefaultClass(_ storageClass: JSON) -> Bool {
        let annotations = storageClass[path: "metadata", "annotations"]
        return annotations?[defaultClassAnnotation]?.stringValue == "true"
            || annotations?[betaDefaultClassAnnotation]?.stringValue == "true"
    }

    /// Upstream's GetDefaultClass: among classes marked default, the newest one, ties broken by
    /// name, so adding a second default class while switching over is harmless.
    public static func defaultClassName(_ registry: Registry) -> String? {
        guard let store = registry.store(group: "storage.k8s.io", plural: "storageclasses") else { return nil }
        return defaultClassName(among: store.list(namespace: nil).items.map(\.object))
    }

    /// The default among `classes` (see `defaultClassName(_:)`).
    static func defaultClassName(among classes: [JSON]) -> String? {
        let defaults = classes.filter(isDefaultClass)
        let newestFirst = defaults.sorted { a, b in
            let ta = created(a), tb = created(b)
            if ta == tb { return name(a) < name(b) }
            return ta > tb
        }
        return newestFirst.first.map(name)
    }

    private static func created(_ object: JSON) -> Date {
        object[path: "metadata", "creationTimestamp"]?.stringValue.flatMap(Timestamp.parse) ?? .distantPast
    }

    private static func name(_ object: JSON) -> String { object[path: "metadata", "name"]?.stringValue ?? "" }

    private static func addFinalizer(_ finalizer: String, to object: inout JSON) {
        var finalizers = object[path: "metadata", "finalizers"]?.arrayValue ?? []
        if !finalizers.contains(.string(finalizer)) { finalizers.append(.string(finalizer)) }
        object[path: "metadata", "finalizers"] = .array(finalizers)
    }
}
