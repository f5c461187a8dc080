/// Typed access to an apiextensions.k8s.io/v1 CustomResourceDefinition, reading absent members as
/// Go's zero values: what the CRD strategy, the naming and establishing logic and the dynamic
/// custom resource handlers read.
public struct CustomResourceDefinitionView: Sendable, Equatable {
    public let object: JSON

    public init(_ object: JSON) { self.object = object }

    public var name: String { object[path: "metadata", "name"]?.stringValue ?? "" }
    public var uid: String { object[path: "metadata", "uid"]?.stringValue ?? "" }
    public var group: String { object[path: "spec", "group"]?.stringValue ?? "" }
    /// `Namespaced` or `Cluster`.
    public var scope: String { object[path: "spec", "scope"]?.stringValue ?? "" }
    public var namespaced: Bool { scope == "Namespaced" }
    public var names: Names { Names(object[path: "spec", "names"]) }
    /// `status.acceptedNames`: the names the naming logic granted, which the served resource uses.
    public var acceptedNames: Names { Names(object[path: "status", "acceptedNames"]) }
    public var versions: [Version] { (object[path: "spec", "versions"]?.arrayValue ?? []).map(Version.init) }
    public var storageVersion: String? { versions.first { $0.storage }?.name }
    public var storedVersions: [String] { (object[path: "status", "storedVersions"]?.arrayValue ?? []).compactMap(\.stringValue) }
    /// `None` (the default) or `Webhook`.
    public var conversionStrategy: String { object[path: "spec", "conversion", "strategy"]?.stringValue ?? "None" }
    public var isBeingDeleted: Bool { object[path: "metadata", "deletionTimestamp"] != nil }
    public var finalizers: [String] { (object[path: "metadata", "finalizers"]?.arrayValue ?? []).compactMap(\.stringValue) }

    public var conditions: [Condition] { (object[path: "status", "conditions"]?.arrayValue ?? []).map(Condition.init) }
    public func condition(_ type: String) -> Condition? { conditions.first { $0.type == type } }
    public func isConditionTrue(_ type: String) -> Bool { condition(type)?.status == "True" }
    public var isEstablished: Bool { isConditionTrue(Condition.established) }
    public var isTerminating: Bool { isConditionTrue(Condition.terminating) || isBeingDeleted }

    /// `spec.names` or `status.acceptedNames`.
    public struct Names: Sendable, Equatable {
        public let object: JSON
        init(_ object: JSON?) { self.object = object ?? .object([:]) }
        public var plural: String { object["plural"]?.stringValue ?? "" }
        public var singular: String { object["singular"]?.stringValue ?? "" }
        public var kind: String { object["kind"]?.stringValue ?? "" }
        public var listKind: String { object["listKind"]?.stringValue ?? "" }
        public var shortNames: [String] { (object["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue) }
        public var categories: [String] { (object["categories"]?.arrayValue ?? []).compactMap(\.stringValue) }
    }

    /// One of `spec.versions`.
    public struct Version: Sendable, Equatable {
        public let object: JSON
        init(_ object: JSON) { self.object = object }
        public var name: String { object["name"]?.stringValue ?? "" }
        public var served: Bool { object["served"]?.boolValue ?? false }
        public var storage: Bool { object["storage"]?.boolValue ?? false }
        public var deprecated: Bool { object["deprecated"]?.boolValue ?? false }
        public var deprecationWarning: String? { object["deprecationWarning"]?.stringValue }
        /// `schema.openAPIV3Schema`.
        public var schema: JSON? { object[path: "schema", "openAPIV3Schema"] }
        public var hasStatusSubresource: Bool { object[path: "subresources", "status"] != nil }
        public var scale: Scale? { object[path: "subresources", "scale"].map(Scale.init) }
        public var printerColumns: [PrinterColumn] {
            (object["additionalPrinterColumns"]?.arrayValue ?? []).map(PrinterColumn.init)
        }
        /// `selectableFields[*].jsonPath`.
        public var selectableFields: [String] {
            (object["selectableFields"]?.arrayValue ?? []).compactMap { $0["jsonPath"]?.stringValue }
        }
    }

    /// `subresources.scale`: where the replica counts and selector live in the custom resource.
    public struct Scale: Sendable, Equatable {
        public let specReplicasPath: String
        public let statusReplicasPath: String
        public let labelSelectorPath: String?
        init(_ object: JSON) {
            specReplicasPath = object["specReplicasPath"]?.stringValue ?? ""
            statusReplicasPath = object["statusReplicasPath"]?.stringValue ?? ""
            labelSelectorPath = object["labelSelectorPath"]?.stringValue
        }
    }

    /// One of `additionalPrinterColumns`.
    public struct PrinterColumn: Sendable, Equatable {
        public let name: String
        public let type: String
        public let format: String
        public let description: String
        public let priority: Int
        public let jsonPath: String
        public init(name: String, type: String, format: String = "", description: String = "", priority: Int = 0, jsonPath: String) {
            self.name = name; self.type = type; self.format = format; self.description = description
            self.priority = priority; self.jsonPath = jsonPath
        }
        init(_ object: JSON) {
            self.init(name: object["name"]?.stringValue ?? "", type: object["type"]?.stringValue ?? "",
                      format: object["format"]?.stringValue ?? "", description: object["description"]?.stringValue ?? "",
                      priority: Int(object["priority"]?.intValue ?? 0), jsonPath: object["jsonPath"]?.stringValue ?? "")
        }
    }

    /// One of `status.conditions`.
    public struct Condition: Sendable, Equatable {
        public static let namesAccepted = "NamesAccepted"
        public static let established = "Established"
        public static let terminating = "Terminating"

        public let object: JSON
        init(_ object: JSON) { self.object = object }
        public var type: String { object["type"]?.stringValue ?? "" }
        public var status: String { object["status"]?.stringValue ?? "" }
        public var reason: String { object["reason"]?.stringValue ?? "" }
        public var message: String { object["message"]?.stringValue ?? "" }
    }
}
