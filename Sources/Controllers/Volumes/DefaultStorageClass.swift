import APIMachinery
import ControllerRuntime
import Registry

/// The StorageClass a fresh cluster has, as kind's `standard` class: default (claims without a
/// class get it), served by the simulated provisioner under `kubelite.dev/hostpath`, Delete on
/// release, bound immediately.
public enum DefaultStorageClass {
    public static let name = "standard"
    public static let provisioner = "kubelite.dev/hostpath"

    public static var object: JSON {
        [
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": [
                "name": .string(name),
                "annotations": [PersistentVolumeClaimAdmission.defaultClassAnnotation: "true"],
            ],
            "provisioner": .string(provisioner),
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate",
        ]
    }

    /// Creates the class unless it exists; a class an administrator deleted stays deleted until
    /// the next start, as addon managers' EnsureExists mode does.
    public static func ensure(in registry: Registry) {
        guard let store = registry.store(group: "storage.k8s.io", plural: "storageclasses"),
              (try? store.get(namespace: nil, name: name)) == nil else { return }
        _ = try? store.create(namespace: nil, body: RequestBody(value: object), options: WriteOptions())
    }
}
