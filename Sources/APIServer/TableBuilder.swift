import APIMachinery
import Foundation
import Registry
import Storage

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

    /// `row(item.object)` encoded, written from the item's stored bytes where it can: the object
    /// (`Object`) or its `metadata` (`Metadata`) is copied, only the cells are encoded.
    func rowBytes(_ item: StoredObject) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(item.bytes.count / 2 + 256)
        out.append(contentsOf: "{\"cells\":".utf8)
        JSONWriter.write(.array(strategy.tableCells(item.object, now: now)), into: &out)
        switch includeObject {
        case "Object":
            out.append(contentsOf: ",\"object\":".utf8)
            out.append(contentsOf: item.bytes)
        case "Metadata":
            guard let metadata = JSONMemberSlice.range(of: "metadata", in: item.bytes) else {
                return JSONWriter.encode(row(item.object))
            }
            out.append(contentsOf: ",\"object\":{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/\(version)\",\"metadata\":".utf8)
            out.append(contentsOf: item.bytes[metadata])
            out.append(UInt8(ascii: "}"))
        default: break
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    static func partial(_ object: JSON, version: String) -> JSON {
        ["kind": "PartialObjectMetadata", "apiVersion": .string("meta.k8s.io/\(version)"), "metadata": object["metadata"] ?? .object([:])]
    }
}
