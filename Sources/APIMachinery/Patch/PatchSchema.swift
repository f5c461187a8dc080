/// Patch metadata lookup over `SchemaSet`, standing in for strategicpatch's `PatchMetaFromStruct`
/// (which reads Go struct tags; the OpenAPI `x-kubernetes-patch-*` extensions carry the same tags).
struct PatchSchema {
    let type: SchemaType
    let schemas: SchemaSet

    init(_ type: SchemaType, _ schemas: SchemaSet) {
        self.type = schemas.resolve(type)
        self.schemas = schemas
    }

    struct Meta {
        var strategies: [String] = []
        var mergeKey = ""
    }

    /// Go's reflect Kind name of the element type, used in "cannot merge lists without merge key for %s".
    var kindName: String {
        switch type {
        case .object(_, _, let additional): return additional == nil ? "struct" : "map"
        case .any: return "interface"
        default: return "struct"
        }
    }

    /// `LookupPatchMetadataForStruct`: the member's schema and its patch tags. Maps give their value
    /// schema with no tags; members without a schema (unknown or `.any`) get `.any`, where
    /// everything merges like JSON merge patch.
    func member(_ key: String) -> (PatchSchema, Meta) {
        switch type {
        case .object(let properties, _, let additional):
            if let field = properties[key] {
                let strategies = (field.patchStrategy ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                return (PatchSchema(field.type, schemas), Meta(strategies: strategies, mergeKey: field.patchMergeKey ?? ""))
            }
            if let additional { return (PatchSchema(additional, schemas), Meta()) }
            return (PatchSchema(.any, schemas), Meta())
        default:
            return (PatchSchema(.any, schemas), Meta())
        }
    }

    /// `LookupPatchMetadataForSlice`: the element schema of a list member, with the list's tags.
    func listMember(_ key: String) -> (PatchSchema, Meta) {
        let (field, meta) = member(key)
        if case .array(let items) = field.type { return (PatchSchema(items, schemas), meta) }
        return (PatchSchema(.any, schemas), meta)
    }

    /// `extractRetainKeysPatchStrategy`: the strategy other than retainKeys.
    static func strategy(_ meta: Meta) throws(StrategicMergePatchFailure) -> String {
        let s = meta.strategies
        switch s.count {
        case 0: return ""
        case 1: return s[0] == "retainKeys" ? "" : s[0]
        case 2:
            if s[0] == "retainKeys" { return s[1] }
            if s[1] == "retainKeys" { return s[0] }
            fallthrough
        default:
            throw .other("unexpected patch strategy: [\(s.joined(separator: " "))]")
        }
    }
}
