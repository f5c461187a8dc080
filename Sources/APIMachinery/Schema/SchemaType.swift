/// The structural schema of an API type, taken from upstream's OpenAPI definitions: enough to decode
/// strictly (unknown and mistyped fields), to prune what a typed Go decoder would drop, and to drive
/// strategic merge patch (merge keys and strategies) and the served OpenAPI documents.
public indirect enum SchemaType: Sendable, Equatable {
    /// A named definition, resolved through a `SchemaSet` (e.g. `io.k8s.api.core.v1.PodSpec`).
    case ref(String)
    /// A struct with known fields (`properties`), or a map when `additionalProperties` is set.
    case object(properties: [String: SchemaField], required: [String], additionalProperties: SchemaType?)
    case array(items: SchemaType)
    case string(format: String?, enumValues: [String]?)
    case integer(format: String?)
    case number(format: String?)
    case boolean
    /// IntOrString: a JSON string or integer.
    case intOrString
    /// resource.Quantity: a JSON string or number, canonicalised to a string.
    case quantity
    /// Any JSON (RawExtension, JSON, fields preserved as is).
    case any
}

/// One property of an object schema with its list and patch metadata.
public struct SchemaField: Sendable, Equatable {
    public var type: SchemaType
    /// `x-kubernetes-patch-strategy`, e.g. `merge`, `retainKeys`, `merge,retainKeys`, `replace`.
    public var patchStrategy: String?
    /// `x-kubernetes-patch-merge-key`, e.g. `name` for containers.
    public var patchMergeKey: String?
    /// `x-kubernetes-list-type`: `atomic`, `set` or `map`.
    public var listType: String?
    /// `x-kubernetes-list-map-keys`.
    public var listMapKeys: [String]?

    public init(type: SchemaType, patchStrategy: String? = nil, patchMergeKey: String? = nil,
                listType: String? = nil, listMapKeys: [String]? = nil) {
        self.type = type; self.patchStrategy = patchStrategy; self.patchMergeKey = patchMergeKey
        self.listType = listType; self.listMapKeys = listMapKeys
    }

    /// The strategies named in patchStrategy (`merge`, `retainKeys`, `replace`).
    public var patchStrategies: Set<String> {
        Set((patchStrategy ?? "").split(separator: ",").map { String($0) })
    }
}

/// The named definitions of every served kind and what they reference.
public struct SchemaSet: Sendable {
    public var definitions: [String: SchemaType]
    /// Definition name for each served kind.
    public var kinds: [GroupVersionKind: String]

    public init(definitions: [String: SchemaType], kinds: [GroupVersionKind: String]) {
        self.definitions = definitions; self.kinds = kinds
    }

    /// Follows `.ref` until a concrete type; an unknown name resolves to `.any` so nothing is dropped.
    public func resolve(_ type: SchemaType) -> SchemaType {
        var current = type
        var hops = 0
        while case .ref(let name) = current {
            guard let next = definitions[name], hops < 32 else { return .any }
            current = next
            hops += 1
        }
        return current
    }

    public func definition(_ name: String) -> SchemaType? { definitions[name].map(resolve) }
}
