import APIMachinery
import ControllerRuntime
import Foundation

/// Read-side helpers over objects kept as JSON: the accessors controllers need from `ObjectMeta`
/// and `OwnerReference`, reading absent members as Go's zero values.
extension JSON {
    var metaName: String { self[path: "metadata", "name"]?.stringValue ?? "" }
    var metaNamespace: String { self[path: "metadata", "namespace"]?.stringValue ?? "" }
    var metaUID: String { self[path: "metadata", "uid"]?.stringValue ?? "" }
    var metaGeneration: Int64 { self[path: "metadata", "generation"]?.intValue ?? 0 }
    var metaResourceVersion: String { self[path: "metadata", "resourceVersion"]?.stringValue ?? "" }
    var isBeingDeleted: Bool {
        if let ts = self[path: "metadata", "deletionTimestamp"], ts != .null { return true }
        return false
    }

    /// Labels as a dictionary (non-string values are ignored, as Go's map[string]string would reject them).
    var metaLabels: [String: String] {
        var labels: [String: String] = [:]
        for (k, v) in self[path: "metadata", "labels"]?.objectValue ?? [:] { if let s = v.stringValue { labels[k] = s } }
        return labels
    }

    var ownerReferences: [JSON] { self[path: "metadata", "ownerReferences"]?.arrayValue ?? [] }

    /// The owner reference marked `controller: true` (metav1.GetControllerOf).
    var controllerRef: JSON? {
        ownerReferences.first { $0["controller"]?.boolValue == true }
    }

    /// `namespace/name`, the work queue key of client-go's MetaNamespaceKeyFunc.
    var queueKey: String { metaNamespace.isEmpty ? metaName : "\(metaNamespace)/\(metaName)" }
}

/// Go's JSON encoding of a `map[string]...`: keys sorted bytewise. Used where upstream
/// re-marshals through maps (revision patches) or where the field is a Go map (labels).
enum GoMapOrder {
    static func sortedKeys(_ value: JSON) -> JSON {
        switch value {
        case .object(let members):
            var sorted = JSONObject()
            for key in members.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
                sorted[key] = sortedKeys(members[key]!)
            }
            return .object(sorted)
        case .array(let items): return .array(items.map(sortedKeys))
        default: return value
        }
    }

    /// A `map[string]string` as JSON with Go's key order.
    static func labels(_ map: [String: String]) -> JSON {
        var object = JSONObject()
        for key in map.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            object[key] = .string(map[key]!)
        }
        return .object(object)
    }
}
