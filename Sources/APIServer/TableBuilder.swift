import APIMachinery
import Foundation
import Registry

/// Builds meta.k8s.io Tables from a kind's printer columns; used for lists, single objects and
/// watch events. Each row carries the object as `includeObject` asks (Metadata by default).
struct TableBuilder {
    let strategy: any ResourceStrategy
    let now: Date
    let version: String
    let includeObject: String

    static let includeObjectValues = ["None", "Metadata", "Object"]

    static func includeObject(_ request: String?) throws(APIError) -> String {
        let value = request ?? "Metadata"
        guard includeObjectValues.contains(value) else {
            throw APIError.badRequest("includeObject: Unsupported value: \"\(value)\": supported values: \"Metadata\", \"None\", \"Object\"")
        }
        return value
    }

    func table(_ objects: [JSON], revision: String, includeColumns: Bool = true) -> JSON {
        var table: JSONObject = [
            "kind": "Table", "apiVersion": .string("meta.k8s.io/\(version)"),
            "metadata": ["resourceVersion": .string(revision)],
        ]
        if includeColumns {
            table["columnDefinitions"] = .array(strategy.tableColumns.map { c in
                ["name": .string(c.name), "type": .string(c.type), "format": .string(c.format),
                 "description": .string(c.description), "priority": .int(Int64(c.priority))]
            })
        } else {
            table["columnDefinitions"] = .null
        }
        table["rows"] = .array(objects.map(row))
        return .object(table)
    }

    /// One object's row: its cells, and the object as `includeObject` asks.
    func row(_ object: JSON) -> JSON {
        var row: JSONObject = ["cells": .array(strategy.tableCells(object, now: now))]
        switch includeObject {
        case "Object": row["object"] = object
        case "Metadata": row["object"] = Self.partial(object, version: version)
        default: break
        }
        return .object(row)
    }

    static func partial(_ object: JSON, version: String) -> JSON {
        ["kind": "PartialObjectMetadata", "apiVersion": .string("meta.k8s.io/\(version)"), "metadata": object["metadata"] ?? .object([:])]
    }
}
