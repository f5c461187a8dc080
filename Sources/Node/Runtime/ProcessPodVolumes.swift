import APIMachinery
import Foundation

/// The bind mounts of a process pod's volumes: a claim's PersistentVolume is the directory
/// `<root>/volumes/<pv-name>` (it outlives the pod), `emptyDir` a directory of the pod's (removed
/// with it), `hostPath` the host's path, `configMap`, `secret`, `downwardAPI` and `projected` files
/// written by the kubelet (`VolumeProjection`), rewritten at each sync so updates reach the pod. Containers share the pod's mount namespace, so every container's mounts are
/// the pod's.
enum ProcessPodVolumes {
    /// Reads an object (`persistentvolumeclaims`, `configmaps`, `secrets`) of the pod's namespace.
    typealias Lookup = (_ resource: String, _ namespace: String, _ name: String) -> JSON?

    struct VolumeError: Error, CustomStringConvertible { var description: String }

    static func mounts(_ pod: JSON, podDirectory: String, root: String, catalog: ImageCatalog,
                       lookup: Lookup, tokens: ProjectedServiceAccountTokens? = nil) throws(VolumeError) -> [PodSandbox.Mount] {
        let namespace = pod.meta.namespace
        let volumes = pod[path: "spec", "volumes"]?.arrayValue ?? []
        var sources: [String: String] = [:]
        var mounts: [PodSandbox.Mount] = []
        for c in KubeletPodStatus.initContainers(pod) + KubeletPodStatus.containers(pod) {
            for m in c["volumeMounts"]?.arrayValue ?? [] {
                guard let name = m["name"]?.stringValue, let target = m["mountPath"]?.stringValue,
                      let volume = volumes.first(where: { $0["name"]?.stringValue == name }) else { continue }
                if sources[name] == nil {
                    sources[name] = try directory(volume, name: name, pod: pod, podDirectory: podDirectory, root: root,
                                                  lookup: lookup, tokens: tokens)
                }
                guard var source = sources[name] else { continue }
                if let sub = m["subPath"]?.stringValue, !sub.isEmpty {
                    source += "/" + sub
                    try? FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
                }
                let readOnly = m["readOnly"]?.boolValue == true || VolumeProjection.isProjected(volume)
                if !mounts.contains(where: { $0.target == target }) {
                    mounts.append(PodSandbox.Mount(source: source, target: target, readOnly: readOnly))
                }
            }
        }
        // An image's working directory (redis' /data) is its own per pod, as the image's anonymous
        // VOLUME is, unless a volume is mounted there: pods never share the host's directory.
        for c in KubeletPodStatus.initContainers(pod) + KubeletPodStatus.containers(pod) {
            guard c["workingDir"] == nil, let dir = catalog.entry(for: c["image"]?.stringValue ?? "")?.workingDir, dir != "/",
                  !mounts.contains(where: { $0.target == dir }) else { continue }
            let source = "\(podDirectory)/workdirs/" + dir.split(separator: "/").joined(separator: "_")
            try? FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
            mounts.append(PodSandbox.Mount(source: source, target: dir, readOnly: false))
        }
        return mounts
    }

    /// The host directory backing a volume, created when missing; nil for kinds not supported.
    static func directory(_ volume: JSON, name: String, pod: JSON, podDirectory: String, root: String,
                          lookup: Lookup, tokens: ProjectedServiceAccountTokens? = nil) throws(VolumeError) -> String? {
        let namespace = pod.meta.namespace
        let fm = FileManager.default
        func make(_ path: String) -> String {
            try? fm.createDirectory(atPath: path, withIntermediateDirectories: true)
            return path
        }
        if let claim = volume[path: "persistentVolumeClaim", "claimName"]?.stringValue {
            guard let pvc = lookup("persistentvolumeclaims", namespace, claim) else {
                throw VolumeError(description: "persistentvolumeclaim \"\(claim)\" not found")
            }
            guard let pv = pvc[path: "spec", "volumeName"]?.stringValue, !pv.isEmpty else {
                throw VolumeError(description: "PVC \(namespace)/\(claim) has non-bound phase (\"Pending\") or empty pvc.Spec.VolumeName (\"\")")
            }
            return make(volumeDirectory(root: root, pv: pv))
        }
        if volume["emptyDir"] != nil { return make("\(podDirectory)/volumes/\(name)") }
        if let path = volume[path: "hostPath", "path"]?.stringValue {
            let type = volume[path: "hostPath", "type"]?.stringValue ?? ""
            return type == "DirectoryOrCreate" ? make(path) : path
        }
        if VolumeProjection.isProjected(volume) {
            let directory = "\(podDirectory)/volumes/\(name)"
            do {
                try AtomicVolumeWriter.write(try VolumeProjection.files(volume, pod: pod, lookup: lookup, tokens: tokens) ?? [],
                                            to: directory)
            } catch let error as VolumeError {
                throw error
            } catch {
                throw VolumeError(description: "writing \(directory): \(error)")
            }
            return directory
        }
        return nil
    }

    /// `<root>/volumes/<pv-name>`: where a PersistentVolume's data lives.
    static func volumeDirectory(root: String, pv: String) -> String { "\(root)/volumes/\(pv)" }

    /// A ConfigMap's or Secret's keys and their bytes (Secrets' values and ConfigMaps' binaryData
    /// are base64).
    static func values(_ object: JSON, secret: Bool) -> [String: Data] {
        var values: [String: Data] = [:]
        for (key, value) in object["data"]?.objectValue ?? [:] {
            guard let s = value.stringValue else { continue }
            values[key] = secret ? Data(base64Encoded: s) ?? Data() : Data(s.utf8)
        }
        if !secret {
            for (key, value) in object["binaryData"]?.objectValue ?? [:] { values[key] = value.stringValue.flatMap { Data(base64Encoded: $0) } }
        }
        return values
    }
}
