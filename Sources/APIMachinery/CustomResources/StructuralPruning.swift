/// Upstream's structural pruning (apiserver/schema/pruning/algorithm.go): members the schema does not
/// specify are dropped, except below `x-kubernetes-preserve-unknown-fields`, and apiVersion, kind and
/// metadata at the resource root and at every `x-kubernetes-embedded-resource`. Metadata itself is
/// coerced to ObjectMeta (objectmeta.Coerce), which drops members ObjectMeta does not have.
///
/// Every dropped member is recorded as upstream's PruneOptions.ReturnPruned does (`spec.foo`,
/// `spec.items[0].bar`), so strict field validation can answer `unknown field "spec.foo"`.
struct StructuralPruning {
    static let objectMetaFields: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
        "ownerReferences", "finalizers", "managedFields",
    ]
    static let metaFields: Set<String> = ["apiVersion", "kind", "metadata"]

    private(set) var pruned: [String] = []

    private static func join(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }

    /// Prunes a whole custom object (its root is a resource root).
    mutating func pruneResource(_ value: JSON, _ s: JSONSchemaProps) -> JSON {
        prune(value, s, path: "", isResourceRoot: true)
    }

    mutating func prune(_ value: JSON, _ s: JSONSchemaProps?, path: String, isResourceRoot: Bool) -> JSON {
        if let s, s.xPreserveUnknownFields == true {
            return skipPrune(value, s, path: path, isResourceRoot: isResourceRoot || s.xEmbeddedResource)
        }
        switch value {
        case .object(var members):
            guard let s else {
                for key in members.keys { pruned.append(Self.join(path, key)) }
                return .object([:])
            }
            let isRoot = isResourceRoot || s.xEmbeddedResource
            for (key, member) in members {
                // apiVersion, kind and metadata of a resource belong to TypeMeta and ObjectMeta, not to the schema.
                if isRoot, Self.metaFields.contains(key) {
                    if key == "metadata" { members[key] = coerceMetadata(member, path: Self.join(path, key)) }
                    continue
                }
                if let property = s.properties[key] {
                    members[key] = prune(member, property, path: Self.join(path, key), isResourceRoot: false)
                } else if let additional = s.additionalProperties {
                    members[key] = prune(member, additional.schema, path: Self.join(path, key), isResourceRoot: false)
                } else {
                    pruned.append(Self.join(path, key))
                    members[key] = nil
                }
            }
            return .object(members)
        case .array(let items):
            return .array(items.enumerated().map { i, item in prune(item, s?.items, path: "\(path)[\(i)]", isResourceRoot: false) })
        default:
            return value
        }
    }

    /// Below preserve-unknown-fields nothing is dropped, but specified members and embedded resources
    /// further down are still pruned by their own schemas.
    private mutating func skipPrune(_ value: JSON, _ s: JSONSchemaProps, path: String, isResourceRoot: Bool) -> JSON {
        switch value {
        case .object(var members):
            for (key, member) in members {
                if isResourceRoot && Self.metaFields.contains(key) {
                    if key == "metadata" { members[key] = coerceMetadata(member, path: Self.join(path, key)) }
                    continue
                }
                if let property = s.properties[key] {
                    members[key] = prune(member, property, path: Self.join(path, key), isResourceRoot: false)
                } else if let additional = s.additionalProperties?.schema {
                    members[key] = prune(member, additional, path: Self.join(path, key), isResourceRoot: false)
                }
            }
            return .object(members)
        case .array(let items):
            guard let itemSchema = s.items else { return value }
            return .array(items.enumerated().map { i, item in
                skipPrune(item, itemSchema, path: "\(path)[\(i)]", isResourceRoot: itemSchema.xEmbeddedResource)
            })
        default:
            return value
        }
    }

    /// ObjectMeta decoding keeps only its own members.
    private mutating func coerceMetadata(_ value: JSON, path: String) -> JSON {
        guard case .object(var members) = value else { return value }
        for key in members.keys where !Self.objectMetaFields.contains(key) {
            pruned.append(Self.join(path, key))
            members[key] = nil
        }
        return .object(members)
    }
}
