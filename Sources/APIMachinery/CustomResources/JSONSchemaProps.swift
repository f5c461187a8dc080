import Foundation
import OrderedCollections

/// A typed view of one node of a CustomResourceDefinition's `openAPIV3Schema`, mirroring
/// apiextensions' `JSONSchemaProps` (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions).
///
/// A class so the recursive tree is shared, not copied, between the validator, the defaulter and the
/// pruner; every member is immutable once parsed, which is what makes it `Sendable`.
/// Members the API accepts but Kubelite does not model (`example`, `externalDocs`, `title`) are kept in `raw`.
public final class JSONSchemaProps: Sendable {
    /// `additionalProperties`: either a boolean or a schema for every member not in `properties`.
    public enum AdditionalProperties: Sendable {
        case allows(Bool)
        case schema(JSONSchemaProps)

        public var schema: JSONSchemaProps? { if case .schema(let s) = self { return s } else { return nil } }
    }

    /// One `x-kubernetes-validations` entry.
    public struct ValidationRule: Sendable, Equatable {
        public var rule: String
        public var message: String?
        public var messageExpression: String?
        public var reason: String?
        public var fieldPath: String?
        public var optionalOldSelf: Bool?
        /// The entry as written, for the `Invalid value` of errors that name the whole rule.
        public var raw: JSON
    }

    public let raw: JSON
    public let type: String
    public let format: String
    public let title: String
    public let description: String
    public let nullable: Bool
    public let defaultValue: JSON?
    public let enumValues: [JSON]?
    public let maximum: JSON?
    public let exclusiveMaximum: Bool
    public let minimum: JSON?
    public let exclusiveMinimum: Bool
    public let multipleOf: JSON?
    public let maxLength: Int64?
    public let minLength: Int64?
    public let pattern: String?
    public let maxItems: Int64?
    public let minItems: Int64?
    public let uniqueItems: Bool
    public let maxProperties: Int64?
    public let minProperties: Int64?
    public let required: [String]
    public let properties: OrderedDictionary<String, JSONSchemaProps>
    public let items: JSONSchemaProps?
    /// `items` written as an array of schemas, which CRDs forbid.
    public let itemsIsArray: Bool
    public let additionalProperties: AdditionalProperties?
    public let allOf: [JSONSchemaProps]
    public let anyOf: [JSONSchemaProps]
    public let oneOf: [JSONSchemaProps]
    public let not: JSONSchemaProps?
    /// nil when unset; `false` is accepted by the decoder and rejected by CRD validation.
    public let xPreserveUnknownFields: Bool?
    public let xEmbeddedResource: Bool
    public let xIntOrString: Bool
    public let xListType: String?
    public let xListMapKeys: [String]
    public let xMapType: String?
    public let xValidations: [ValidationRule]
    /// The compiled `pattern`; nil when there is none or it does not compile (CRD validation reports it).
    let patternRegex: NSRegularExpression?

    /// Members JSON Schema has but CRDs forbid; present here only so CRD validation can name them.
    public let id: String
    public let ref: String?
    public let hasAdditionalItems: Bool
    public let hasPatternProperties: Bool
    public let hasDefinitions: Bool
    public let hasDependencies: Bool

    /// Decodes one schema node. Members of the wrong JSON type are reported as the API server's decoder
    /// would refuse them (`Invalid value ... must be of type ...`), collected in `errors`.
    init(parsing json: JSON, path: FieldPath, errors: inout [FieldError]) {
        var reader = SchemaMemberReader(object: json.objectValue ?? [:], path: path)
        if json.objectValue == nil {
            errors.append(.invalid(path, json, "must be an object"))
        }
        raw = json
        type = reader.string("type") ?? ""
        format = reader.string("format") ?? ""
        title = reader.string("title") ?? ""
        description = reader.string("description") ?? ""
        nullable = reader.bool("nullable") ?? false
        defaultValue = reader.object["default"]
        enumValues = reader.array("enum")
        maximum = reader.number("maximum")
        exclusiveMaximum = reader.bool("exclusiveMaximum") ?? false
        minimum = reader.number("minimum")
        exclusiveMinimum = reader.bool("exclusiveMinimum") ?? false
        multipleOf = reader.number("multipleOf")
        maxLength = reader.int("maxLength")
        minLength = reader.int("minLength")
        pattern = reader.string("pattern")
        maxItems = reader.int("maxItems")
        minItems = reader.int("minItems")
        uniqueItems = reader.bool("uniqueItems") ?? false
        maxProperties = reader.int("maxProperties")
        minProperties = reader.int("minProperties")
        required = reader.strings("required") ?? []
        var properties: OrderedDictionary<String, JSONSchemaProps> = [:]
        for (key, value) in reader.objectMember("properties") ?? [:] {
            properties[key] = JSONSchemaProps(parsing: value, path: path.child("properties").key(key), errors: &reader.errors)
        }
        self.properties = properties
        switch reader.object["items"] {
        case .array(let schemas):
            itemsIsArray = true
            items = schemas.first.map { JSONSchemaProps(parsing: $0, path: path.child("items").index(0), errors: &reader.errors) }
        case .object?:
            itemsIsArray = false
            items = JSONSchemaProps(parsing: reader.object["items"]!, path: path.child("items"), errors: &reader.errors)
        case nil, .null?:
            itemsIsArray = false
            items = nil
        case let other?:
            itemsIsArray = false
            items = nil
            reader.errors.append(.invalid(path.child("items"), other, "must be an object or an array"))
        }
        switch reader.object["additionalProperties"] {
        case .bool(let b)?: additionalProperties = .allows(b)
        case .object?: additionalProperties = .schema(JSONSchemaProps(parsing: reader.object["additionalProperties"]!, path: path.child("additionalProperties"), errors: &reader.errors))
        case nil, .null?: additionalProperties = nil
        case let other?:
            additionalProperties = nil
            reader.errors.append(.invalid(path.child("additionalProperties"), other, "must be a boolean or an object"))
        }
        allOf = reader.schemas("allOf")
        anyOf = reader.schemas("anyOf")
        oneOf = reader.schemas("oneOf")
        not = reader.object["not"].flatMap { $0.isNull ? nil : JSONSchemaProps(parsing: $0, path: path.child("not"), errors: &reader.errors) }
        xPreserveUnknownFields = reader.bool("x-kubernetes-preserve-unknown-fields")
        xEmbeddedResource = reader.bool("x-kubernetes-embedded-resource") ?? false
        xIntOrString = reader.bool("x-kubernetes-int-or-string") ?? false
        xListType = reader.string("x-kubernetes-list-type")
        xListMapKeys = reader.strings("x-kubernetes-list-map-keys") ?? []
        xMapType = reader.string("x-kubernetes-map-type")
        xValidations = reader.validationRules()
        id = reader.string("id") ?? ""
        ref = reader.string("$ref")
        hasAdditionalItems = reader.object["additionalItems"].map { !$0.isNull } ?? false
        hasPatternProperties = !(reader.object["patternProperties"]?.objectValue?.isEmpty ?? true)
        hasDefinitions = !(reader.object["definitions"]?.objectValue?.isEmpty ?? true)
        hasDependencies = reader.object["dependencies"].map { !$0.isNull } ?? false
        patternRegex = pattern.flatMap { try? NSRegularExpression(pattern: $0) }
        errors += reader.errors
    }

    /// Parses a whole `openAPIV3Schema`; throws the decoding errors when a member has the wrong JSON type.
    public convenience init(parsing json: JSON, path: FieldPath = "") throws(CustomResourceSchemaError) {
        var errors: [FieldError] = []
        self.init(parsing: json, path: path, errors: &errors)
        if !errors.isEmpty { throw CustomResourceSchemaError(errors: errors) }
    }

    /// True when the node constrains the value's type: its `type`, or int-or-string / preserve-unknown-fields.
    var isTypeless: Bool { type.isEmpty && !xIntOrString && xPreserveUnknownFields != true }

    /// The list type as the merge and validation code reads it: unset means atomic.
    var listType: String { xListType ?? "atomic" }
}

/// The errors that make an `openAPIV3Schema` unusable, with upstream's field paths and messages.
public struct CustomResourceSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [FieldError]
    public init(errors: [FieldError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: ", ") }
}
