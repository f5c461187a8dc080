import APIMachinery

/// Upstream's defaults for volume sources (pod volumes and persistent volume sources alike):
/// SetDefaults_Volume, _ConfigMapVolumeSource, _SecretVolumeSource, _HostPathVolumeSource, ...
enum VolumeDefaults {
    /// File mode 0644, the default for projected files.
    static let defaultFileMode: JSON = 420

    /// Defaults one entry of `spec.volumes`: a volume naming no source is an emptyDir.
    static func apply(_ volume: inout JSON) {
        if let o = volume.objectValue, !o.keys.contains(where: { $0 != "name" && o[$0] != .null }) {
            volume["emptyDir"] = .object([:])
        }
        applySources(&volume)
        volume.modifyObject("ephemeral") { eph in
            eph.modifyObject("volumeClaimTemplate") { tmpl in
                tmpl.modifyObject("spec") { PersistentVolumeClaimDefaults.applySpec(&$0) }
            }
        }
        volume.modifyObject("emptyDir") { dir in
            if let limit = dir["sizeLimit"] { dir["sizeLimit"] = ResourceListDefaults.canonicalQuantity(limit) }
        }
    }

    /// Defaults every source type that both pod volumes and persistent volumes may carry.
    static func applySources(_ source: inout JSON) {
        source.modifyObject("configMap") { $0.setDefault("defaultMode", defaultFileMode) }
        source.modifyObject("secret") { $0.setDefault("defaultMode", defaultFileMode) }
        source.modifyObject("downwardAPI") { api in
            api.setDefault("defaultMode", defaultFileMode)
            api.modifyEach("items") { defaultFieldRef(&$0) }
        }
        source.modifyObject("projected") { projected in
            projected.setDefault("defaultMode", defaultFileMode)
            projected.modifyEach("sources") { s in
                s.modifyObject("serviceAccountToken") { $0.setDefaultInt("expirationSeconds", 3600) }
                s.modifyObject("downwardAPI") { $0.modifyEach("items") { defaultFieldRef(&$0) } }
            }
        }
        source.modifyObject("hostPath") { $0.setDefault("type", "") }
        source.modifyObject("iscsi") { $0.setDefaultString("iscsiInterface", "default") }
        source.modifyObject("rbd") { rbd in
            rbd.setDefaultString("pool", "rbd")
            rbd.setDefaultString("user", "admin")
            rbd.setDefaultString("keyring", "/etc/ceph/keyring")
        }
        source.modifyObject("azureDisk") { disk in
            disk.setDefaultString("cachingMode", "ReadWrite")
            disk.setDefaultString("fsType", "ext4")
            disk.setDefault("readOnly", false)
            disk.setDefaultString("kind", "Shared")
        }
        source.modifyObject("scaleIO") { sio in
            sio.setDefaultString("storageMode", "ThinProvisioned")
            sio.setDefaultString("fsType", "xfs")
        }
    }

    private static func defaultFieldRef(_ item: inout JSON) {
        item.modifyObject("fieldRef") { $0.setDefaultString("apiVersion", "v1") }
    }
}
