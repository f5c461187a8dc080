/// Names one group-version the way upstream's OpenAPI builder does: its document path, its URL
/// prefix, the operation-id infix (`CoreV1`, `AppsV1`, `StorageV1`) and its tag (`core_v1`).
struct OpenAPIGroupVersion: Hashable, Comparable {
    var group: String
    var version: String

    /// `api/v1` or `apis/apps/v1`: the key in the `/openapi/v3` index.
    var documentPath: String { group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)" }

    /// `/api/v1` or `/apis/apps/v1`.
    var urlPrefix: String { "/" + documentPath }

    /// The group's words without `.k8s.io`: `storage.k8s.io` → [storage], `` → [core].
    private var groupWords: [String] {
        if group.isEmpty { return ["core"] }
        let trimmed = group.hasSuffix(".k8s.io") ? String(group.dropLast(".k8s.io".count)) : group
        return trimmed.split(separator: ".").map(String.init)
    }

    /// `CoreV1`, `AppsV1`, `StorageV1`, `DiscoveryV1`, `CoordinationV1`.
    var operationInfix: String { (groupWords + [version]).map(Self.capitalized).joined() }

    /// `core_v1`, `apps_v1`, `storage_v1`.
    var tag: String {
        let words = groupWords
        return ([words[0]] + words.dropFirst().map(Self.capitalized)).joined() + "_" + version
    }

    static func capitalized(_ word: String) -> String { word.prefix(1).uppercased() + word.dropFirst() }

    /// Core first, then groups by name, as the index lists them.
    static func < (a: Self, b: Self) -> Bool { a.documentPath < b.documentPath }
}
