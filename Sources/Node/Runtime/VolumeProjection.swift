import APIMachinery
import Foundation

/// The files of the volumes the kubelet writes itself: `configMap`, `secret`, `downwardAPI` and
/// `projected` (pkg/volume's configmap, secret, downwardapi and projected plugins), with their
/// `items`, `mode` and `defaultMode` (0644 unless set).
enum VolumeProjection {
    typealias Lookup = ProcessPodVolumes.Lookup
    typealias VolumeError = ProcessPodVolumes.VolumeError
    typealias File = AtomicVolumeWriter.File

    static let defaultMode = 0o644

    /// Whether the kubelet writes this volume's files (and so refreshes them while the pod runs).
    static func isProjected(_ volume: JSON) -> Bool {
        ["configMap", "secret", "downwardAPI", "projected"].contains { volume[$0] != nil }
    }

    /// The volume's files; nil when it is not one of these kinds. `tokens` answers the
    /// `serviceAccountToken` projections (the ServiceAccount admission's `kube-api-access-*` volume
    /// has one); without it they fail as a kubelet that cannot reach TokenRequest does.
    static func files(_ volume: JSON, pod: JSON, lookup: Lookup,
                      tokens: ProjectedServiceAccountTokens? = nil) throws(VolumeError) -> [File]? {
        if let source = volume["configMap"] {
            return try objectFiles(source, kind: .configMap, mode: mode(source["defaultMode"]), pod: pod, lookup: lookup)
        }
        if let source = volume["secret"] {
            return try objectFiles(source, kind: .secret, mode: mode(source["defaultMode"]), pod: pod, lookup: lookup)
        }
        if let source = volume["downwardAPI"] {
            return try downwardFiles(source["items"]?.arrayValue ?? [], mode: mode(source["defaultMode"]), pod: pod)
        }
        if let projected = volume["projected"] {
            let fallback = mode(projected["defaultMode"])
            var files: [File] = []
            for source in projected["sources"]?.arrayValue ?? [] {
                if let s = source["configMap"] {
                    files += try objectFiles(s, kind: .configMap, mode: fallback, pod: pod, lookup: lookup)
                }
                if let s = source["secret"] { files += try objectFiles(s, kind: .secret, mode: fallback, pod: pod, lookup: lookup) }
                if let s = source["downwardAPI"] { files += try downwardFiles(s["items"]?.arrayValue ?? [], mode: fallback, pod: pod) }
                if let s = source["serviceAccountToken"] {
                    guard let tokens else { throw VolumeError(description: "failed to fetch token: no TokenRequest source") }
                    let token = try tokens.token(pod: pod, audience: s["audience"]?.stringValue,
                                                 expirationSeconds: s["expirationSeconds"]?.intValue ?? 3600)
                    files.append(File(path: s["path"]?.stringValue ?? "token", data: Data(token.utf8), mode: fallback))
                }
                if source["clusterTrustBundle"] != nil {
                    throw VolumeError(description: "clusterTrustBundle projections are not supported by this kubelet")
                }
            }
            return files
        }
        return nil
    }

    enum Kind {
        case configMap, secret
        var resource: String { self == .configMap ? "configmaps" : "secrets" }
        var nameField: String { self == .configMap ? "name" : "secretName" }
        var noun: String { self == .configMap ? "configmap" : "secret" }
    }

    /// A ConfigMap's or Secret's keys as files (all keys, or `items` key → path with their modes).
    static func objectFiles(_ source: JSON, kind: Kind, mode: Int, pod: JSON, lookup: Lookup) throws(VolumeError) -> [File] {
        // A projected source names its object with `name` for both kinds.
        guard let name = source[kind.nameField]?.stringValue ?? source["name"]?.stringValue else { return [] }
        let optional = source["optional"]?.boolValue == true
        guard let object = lookup(kind.resource, pod.meta.namespace, name) else {
            if optional { return [] }
            throw VolumeError(description: "\(kind.noun) \"\(name)\" not found")
        }
        let values = ProcessPodVolumes.values(object, secret: kind == .secret)
        guard let items = source["items"]?.arrayValue else {
            return values.keys.sorted().map { File(path: $0, data: values[$0]!, mode: mode) }
        }
        var files: [File] = []
        for item in items {
            guard let key = item["key"]?.stringValue, let path = item["path"]?.stringValue else { continue }
            guard let data = values[key] else {
                if optional { continue }
                throw VolumeError(description: "\(kind.noun) references non-existent \(kind == .configMap ? "config" : "secret") key: \(key)")
            }
            files.append(File(path: path, data: data, mode: item["mode"].map { self.mode($0) } ?? mode))
        }
        return files
    }

    /// downwardAPI items: pod fields (whole label and annotation maps as `key="value"` lines) and
    /// containers' resources.
    static func downwardFiles(_ items: [JSON], mode: Int, pod: JSON) throws(VolumeError) -> [File] {
        var files: [File] = []
        for item in items {
            guard let path = item["path"]?.stringValue else { continue }
            let text: String
            if let field = item[path: "fieldRef", "fieldPath"]?.stringValue {
                switch field {
                case "metadata.labels": text = formatMap(PodView(pod).meta.labels)
                case "metadata.annotations": text = formatMap(PodView(pod).meta.annotations)
                default: text = ContainerEnvironment.fieldValue(field, pod: pod)
                }
            } else if let ref = item["resourceFieldRef"], let resource = ref["resource"]?.stringValue {
                let name = ref["containerName"]?.stringValue ?? ""
                guard let container = (KubeletPodStatus.initContainers(pod) + KubeletPodStatus.containers(pod))
                    .first(where: { $0["name"]?.stringValue == name }) else {
                    throw VolumeError(description: "container \(name) not found")
                }
                do { text = try ResourceFieldValue.value(resource: resource, divisor: ref["divisor"]?.stringValue, container: container) } catch {
                    throw VolumeError(description: error.description)
                }
            } else {
                continue
            }
            files.append(File(path: path, data: Data(text.utf8), mode: item["mode"].map { self.mode($0) } ?? mode))
        }
        return files
    }

    /// pkg/fieldpath's FormatMap: sorted `key="value"` lines, values quoted as Go's %q.
    static func formatMap(_ map: [String: String]) -> String {
        map.keys.sorted().map { "\($0)=\(goQuoted(map[$0]!))" }.joined(separator: "\n")
    }

    static func goQuoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func mode(_ value: JSON?) -> Int {
        guard let v = value?.intValue else { return defaultMode }
        return Int(v)
    }
}
