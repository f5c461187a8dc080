import APIMachinery
import Foundation
import Registry

/// The OpenAPI v3 documents of custom resources (upstream's pkg/controller/openapi builder): one
/// per served group-version, each kind's schema from its CRD version's `openAPIV3Schema` with
/// `apiVersion`, `kind` and `metadata` (an ObjectMeta reference) added, and a `<Kind>List`, so
/// `kubectl explain` walks them as built-in kinds. Documents are built on first request and
/// kept until one of their CRDs changes.
final class CustomResourceOpenAPI: @unchecked Sendable {
    /// What the documents are built from: the served custom resources with their CRDs.
    let served: @Sendable () -> [(resource: APIResource, crd: CustomResourceDefinitionView)]
    private let lock = NSLock()
    /// By document path: the CRDs' uids and resourceVersions it was built from, and the document.
    private var cache: [String: (signature: String, bytes: [UInt8], hash: String)] = [:]

    /// The schema library's published form of a kind, when it gives one.
    let published: @Sendable (APIResource) -> JSON?

    init(served: @escaping @Sendable () -> [(resource: APIResource, crd: CustomResourceDefinitionView)],
         published: @escaping @Sendable (APIResource) -> JSON? = { _ in nil }) {
        self.served = served
        self.published = published
    }

    static let apiVersionDescription = "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
    static let kindDescription = "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
    static let metadataDescription = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"

    /// Every custom group-version's document path with its hash, for the `/openapi/v3` index.
    func index() -> [(path: String, hash: String)] {
        let byPath = grouped()
        return byPath.keys.sorted().compactMap { path in document(path, byPath[path] ?? []).map { (path, $0.hash) } }
    }

    /// The document at `apis/<group>/<version>`, or nil when no custom resource is served there.
    func document(_ path: String) -> [UInt8]? {
        let byPath = grouped()
        guard let entries = byPath[path] else { return nil }
        return document(path, entries)?.bytes
    }

    private func grouped() -> [String: [(resource: APIResource, crd: CustomResourceDefinitionView)]] {
        Dictionary(grouping: served()) { "apis/\($0.resource.group)/\($0.resource.version)" }
    }

    private func document(_ path: String, _ entries: [(resource: APIResource, crd: CustomResourceDefinitionView)])
        -> (bytes: [UInt8], hash: String)? {
        let signature = entries.map { "\($0.crd.uid)@\($0.crd.object[path: "metadata", "resourceVersion"]?.stringValue ?? "")" }.joined(separator: ",")
        lock.lock()
        if let cached = cache[path], cached.signature == signature { lock.unlock(); return (cached.bytes, cached.hash) }
        lock.unlock()
        var definitions = SchemaSet.upstreamDefinitions
        for (resource, crd) in entries {
            let schema = crd.versions.first { $0.name == resource.version }?.schema
            definitions[resource.definition] = published(resource) ?? Self.kindSchema(resource, schema)
            definitions[resource.listDefinition] = Self.listSchema(resource)
        }
        let documents = OpenAPIDocuments(resources: entries.map(\.resource), definitions: definitions)
        guard let bytes = documents.documents[path], let hash = documents.hashes[path] else { return nil }
        lock.lock()
        cache[path] = (signature, bytes, hash)
        lock.unlock()
        return (bytes, hash)
    }

    /// The CRD version's schema as a kind: the standard fields beside its own, and the GVK
    /// extension `kubectl explain` finds it by.
    static func kindSchema(_ resource: APIResource, _ schema: JSON?) -> JSON {
        var object = schema?.objectValue ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
        var properties = object["properties"]?.objectValue ?? [:]
        properties["apiVersion"] = ["description": .string(apiVersionDescription), "type": "string"]
        properties["kind"] = ["description": .string(kindDescription), "type": "string"]
        properties["metadata"] = ["$ref": .string("#/components/schemas/" + "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
                                  "description": .string(metadataDescription)]
        object["properties"] = .object(properties)
        if object["type"] == nil { object["type"] = "object" }
        object["x-kubernetes-group-version-kind"] = [["group": .string(resource.group), "kind": .string(resource.kind),
                                                      "version": .string(resource.version)]]
        return .object(object)
    }

    static func listSchema(_ resource: APIResource) -> JSON {
        [
            "description": .string("\(resource.listKind) is a list of \(resource.kind)"),
            "properties": [
                "apiVersion": ["description": .string(apiVersionDescription), "type": "string"],
                "items": ["description": .string("List of \(resource.plural). More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"),
                          "items": ["$ref": .string("#/components/schemas/" + resource.definition)], "type": "array"],
                "kind": ["description": .string(kindDescription), "type": "string"],
                "metadata": ["$ref": .string("#/components/schemas/" + "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"),
                             "description": "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"],
            ],
            "required": ["items"],
            "type": "object",
            "x-kubernetes-group-version-kind": [["group": .string(resource.group), "kind": .string(resource.listKind),
                                                 "version": .string(resource.version)]],
        ]
    }
}
