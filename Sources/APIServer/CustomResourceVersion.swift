import APIMachinery
import Registry
import Storage

/// The `None` conversion of custom objects (upstream's nopConverter): an object stored through one
/// served version is read through another with only its apiVersion changed.
enum CustomResourceVersion {
    /// The object as `resource`'s version serves it, or nil when it already is (the stored bytes
    /// can then be written as they are). Built-in kinds never differ.
    static func served(_ object: JSON, as resource: APIResource) -> JSON? {
        guard let apiVersion = object["apiVersion"]?.stringValue, apiVersion != resource.apiVersion,
              apiVersion.hasPrefix(resource.group + "/"), object["kind"]?.stringValue == resource.kind else { return nil }
        var converted = object
        converted["apiVersion"] = .string(resource.apiVersion)
        return converted
    }

    static func served(_ stored: StoredObject, as resource: APIResource) -> StoredObject {
        guard let converted = served(stored.object, as: resource) else { return stored }
        return StoredObject(key: stored.key, object: converted, bytes: JSONWriter.encode(converted), revision: stored.revision)
    }
}
