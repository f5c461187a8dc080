import APIMachinery
import Foundation

/// A container's `envFrom` and `env` as the kubelet resolves them (pkg/kubelet's makeEnvironmentVariables).
enum ContainerEnvironment {
    typealias ConfigError = ContainerLaunch.ConfigError

    static func apply(container: JSON, pod: JSON, data: ContainerLaunch.DataSource,
                      to env: inout ContainerLaunch.Environment) throws(ConfigError) {
        let namespace = pod.meta.namespace.isEmpty ? "default" : pod.meta.namespace
        for source in container["envFrom"]?.arrayValue ?? [] {
            let prefix = source["prefix"]?.stringValue ?? ""
            for (field, resource, kind) in [("configMapRef", "configmaps", "configmap"), ("secretRef", "secrets", "secret")] {
                guard let ref = source[field], let name = ref["name"]?.stringValue else { continue }
                guard let values = data(resource, namespace, name) else {
                    if ref["optional"]?.boolValue == true { continue }
                    throw ConfigError(description: "\(kind) \"\(name)\" not found")
                }
                for key in values.keys.sorted() { env.set(prefix + key, values[key]!) }
            }
        }
        for variable in container["env"]?.arrayValue ?? [] {
            guard let name = variable["name"]?.stringValue else { continue }
            if let valueFrom = variable["valueFrom"] {
                if let v = try value(from: valueFrom, pod: pod, container: container, namespace: namespace, data: data) {
                    env.set(name, v)
                }
            } else {
                // A literal may refer to variables defined before it.
                env.set(name, env.expand(variable["value"]?.stringValue ?? ""))
            }
        }
    }

    /// nil when an optional reference is missing (the variable is then not set).
    static func value(from source: JSON, pod: JSON, container: JSON, namespace: String,
                      data: ContainerLaunch.DataSource) throws(ConfigError) -> String? {
        if let path = source[path: "fieldRef", "fieldPath"]?.stringValue {
            return fieldValue(path, pod: pod)
        }
        if let ref = source["resourceFieldRef"], let resource = ref["resource"]?.stringValue {
            // containerName defaults to the container itself.
            var target = container
            if let other = ref["containerName"]?.stringValue, !other.isEmpty {
                guard let found = (KubeletPodStatus.initContainers(pod) + KubeletPodStatus.containers(pod)).first(where: { $0["name"]?.stringValue == other }) else {
                    throw ConfigError(description: "container \(other) not found")
                }
                target = found
            }
            do { return try ResourceFieldValue.value(resource: resource, divisor: ref["divisor"]?.stringValue, container: target) } catch {
                throw ConfigError(description: error.description)
            }
        }
        for (field, resource, kind) in [("configMapKeyRef", "configmaps", "configmap"), ("secretKeyRef", "secrets", "secret")] {
            guard let ref = source[field], let name = ref["name"]?.stringValue, let key = ref["key"]?.stringValue else { continue }
            let optional = ref["optional"]?.boolValue == true
            guard let values = data(resource, namespace, name) else {
                if optional { return nil }
                throw ConfigError(description: "\(kind) \"\(name)\" not found")
            }
            guard let v = values[key] else {
                if optional { return nil }
                throw ConfigError(description: "couldn't find key \(key) in \(kind == "configmap" ? "ConfigMap" : "Secret") \(namespace)/\(name)")
            }
            return v
        }
        return nil
    }

    /// The downward API's fields (pkg/fieldpath plus the kubelet's status fields).
    static func fieldValue(_ path: String, pod: JSON) -> String {
        func keyed(_ prefix: String, _ map: JSON?) -> String? {
            guard path.hasPrefix(prefix + "['"), path.hasSuffix("']") else { return nil }
            let key = String(path.dropFirst(prefix.count + 2).dropLast(2))
            return map?[key]?.stringValue ?? ""
        }
        if let v = keyed("metadata.labels", pod[path: "metadata", "labels"]) { return v }
        if let v = keyed("metadata.annotations", pod[path: "metadata", "annotations"]) { return v }
        switch path {
        case "metadata.name": return pod.meta.name
        case "metadata.namespace": return pod.meta.namespace
        case "metadata.uid": return pod.meta.uid
        case "spec.nodeName": return pod[path: "spec", "nodeName"]?.stringValue ?? ""
        case "spec.serviceAccountName": return pod[path: "spec", "serviceAccountName"]?.stringValue ?? ""
        case "status.hostIP": return pod[path: "status", "hostIP"]?.stringValue ?? ""
        case "status.podIP": return pod[path: "status", "podIP"]?.stringValue ?? ""
        case "status.hostIPs": return (pod[path: "status", "hostIPs"]?.arrayValue ?? []).compactMap { $0["ip"]?.stringValue }.joined(separator: ",")
        case "status.podIPs": return (pod[path: "status", "podIPs"]?.arrayValue ?? []).compactMap { $0["ip"]?.stringValue }.joined(separator: ",")
        default: return ""
        }
    }
}
