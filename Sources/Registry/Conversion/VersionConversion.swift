import APIMachinery

/// How a built-in resource served in more than one version turns an object between the version one
/// store serves and the version the resource is stored in, as upstream's scheme converts through the
/// internal type (events.k8s.io/v1 Events are core/v1 Events; autoscaling/v1 HorizontalPodAutoscalers
/// are stored as autoscaling/v2). A strategy that has one serves a view: its store reads and writes
/// the storage version's objects through `ConvertingStorage`, so every verb, list and watch of either
/// version sees the same objects.
public protocol VersionConversion: Sendable {
    /// The resource in its storage version: whose storage keys the view reads and writes.
    var storageResource: APIResource { get }
    /// An object of the served version as the storage version keeps it (metadata carried over).
    func toStorage(_ object: JSON) -> JSON
    /// A stored object as the served version shows it.
    func fromStorage(_ object: JSON) -> JSON
}

extension VersionConversion {
    /// Re-labels a converted object with `resource`'s apiVersion and kind, first in the conventional order.
    static func typed(_ object: JSON, as resource: APIResource) -> JSON {
        var out: JSONObject = ["apiVersion": .string(resource.apiVersion), "kind": .string(resource.kind)]
        for (key, value) in object.objectValue ?? [:] where key != "apiVersion" && key != "kind" { out[key] = value }
        return .object(out)
    }
}
