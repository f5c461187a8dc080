import APIMachinery
import ControllerRuntime

/// The PersistentVolume a provisioner creates for a claim, as sig-storage-lib-external-provisioner
/// shapes it: pre-bound to the claim, sized and moded from it, policed by its class.
enum ProvisionedVolume {
    static func make(name: String, for claim: PersistentVolumeClaimView, storageClass: JSON, provisioner: String,
                     hostPathRoot: String) -> JSON {
        var spec: JSONObject = [
            "accessModes": claim.object[path: "spec", "accessModes"] ?? [],
            "capacity": ["storage": claim.object[path: "spec", "resources", "requests", "storage"] ?? "0"],
            "claimRef": claim.reference,
            "hostPath": ["path": .string("\(hostPathRoot)/\(name)_\(claim.meta.namespace)_\(claim.meta.name)"), "type": "DirectoryOrCreate"],
            "persistentVolumeReclaimPolicy": storageClass["reclaimPolicy"] ?? "Delete",
            "storageClassName": .string(claim.storageClassName),
            "volumeMode": .string(claim.volumeMode),
        ]
        if let mountOptions = storageClass["mountOptions"], !mountOptions.isNull { spec["mountOptions"] = mountOptions }
        return [
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": ["name": .string(name), "annotations": [VolumeKeys.provisionedBy: .string(provisioner)]],
            "spec": .object(spec),
        ]
    }
}
