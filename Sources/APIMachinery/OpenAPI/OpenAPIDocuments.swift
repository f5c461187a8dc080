/// The OpenAPI v3 documents the API server serves: `/openapi/v3` (the index) and one document per
/// group-version (`/openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`, ...), shaped like upstream's
/// (`openapi: 3.0.0`, `info`, `paths`, `components.schemas`). kubectl 1.32 needs them for
/// `apply` (field validation support, strategic merge patch metadata) and `explain`.
///
/// Output is deterministic (object keys sorted, compact JSON), so the documents are committed
/// under `OpenAPI/v3/` and served byte for byte; the index points at each with `?hash=` set to
/// the uppercase hex SHA-512 of its bytes, as upstream does, so clients can cache by URL.
public struct OpenAPIDocuments: Sendable {
    public static let kubernetesVersion = "v1.32.0"
    public static let indexFileName = "index.json"

    /// Encoded documents keyed by group-version path (`api/v1`, `apis/apps/v1`).
    public let documents: [String: [UInt8]]
    /// Uppercase hex SHA-512 of each document, keyed like `documents`.
    public let hashes: [String: String]
    /// The encoded `/openapi/v3` index.
    public let index: [UInt8]

    /// Builds every document for `resources` from OpenAPI v3 component definitions.
    public init(resources: [APIResource], definitions: JSONObject = SchemaSet.upstreamDefinitions) {
        var byGroupVersion: [OpenAPIGroupVersion: [APIResource]] = [:]
        for resource in resources {
            byGroupVersion[OpenAPIGroupVersion(group: resource.group, version: resource.version), default: []].append(resource)
        }
        let components = OpenAPIComponents(definitions: definitions)
        var documents: [String: [UInt8]] = [:]
        var hashes: [String: String] = [:]
        var indexPaths = JSONObject()
        for groupVersion in byGroupVersion.keys.sorted() {
            let document = Self.document(groupVersion, byGroupVersion[groupVersion] ?? [], components)
            let bytes = JSONWriter.encode(Self.sortingKeys(document))
            let hash = SHA512.hexDigest(bytes)
            documents[groupVersion.documentPath] = bytes
            hashes[groupVersion.documentPath] = hash
            indexPaths[groupVersion.documentPath] = [
                "serverRelativeURL": .string("/openapi/v3/\(groupVersion.documentPath)?hash=\(hash)"),
            ]
        }
        self.documents = documents
        self.hashes = hashes
        self.index = JSONWriter.encode(Self.sortingKeys(["paths": .object(indexPaths)]))
    }

    /// The file name upstream gives a document in api/openapi-spec/v3: `apis/apps/v1` → `apis__apps__v1_openapi.json`.
    public static func fileName(for documentPath: String) -> String {
        documentPath.split(separator: "/").joined(separator: "__") + "_openapi.json"
    }

    /// The document path a request path names: `/openapi/v3/apis/apps/v1` → `apis/apps/v1`.
    public func document(forRequestPath path: String) -> [UInt8]? {
        let prefix = "/openapi/v3/"
        guard path.hasPrefix(prefix) else { return nil }
        return documents[String(path.dropFirst(prefix.count))]
    }

    private static func document(_ groupVersion: OpenAPIGroupVersion, _ resources: [APIResource],
                                 _ components: OpenAPIComponents) -> JSON {
        var paths = JSONObject()
        paths[groupVersion.urlPrefix + "/"] = [
            "get": [
                "description": "get available resources",
                "operationId": .string("get\(groupVersion.operationInfix)APIResources"),
                "responses": [
                    "200": OpenAPIOperations.response("io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList", "OK"),
                    "401": ["description": "Unauthorized"],
                ],
                "tags": [.string(groupVersion.tag)],
            ],
        ]
        for resource in resources {
            for (path, item) in OpenAPIOperations(resource: resource, groupVersion: groupVersion).paths {
                paths[path] = item
            }
        }
        var roots: Set<String> = []
        OpenAPIComponents.collectReferences(.object(paths), into: &roots)
        return [
            "components": ["schemas": .object(components.schemas(reachableFrom: roots))],
            "info": ["title": "Kubernetes", "version": .string(kubernetesVersion)],
            "openapi": "3.0.0",
            "paths": .object(paths),
        ]
    }

    /// The same value with every object's keys in byte order, for stable output.
    static func sortingKeys(_ value: JSON) -> JSON {
        switch value {
        case .object(let object):
            var sorted = JSONObject()
            sorted.reserveCapacity(object.count)
            for key in object.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                sorted[key] = sortingKeys(object[key] ?? .null)
            }
            return .object(sorted)
        case .array(let array):
            return .array(array.map(sortingKeys))
        default:
            return value
        }
    }
}
