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
    /// Where a LIST's rows are kept per stored revision; nil makes every row afresh (single objects,
    /// watch events, whose rows are written once).
    let rows: TableRowCache?
    /// A row's `"object":` for `includeObject=Metadata`, up to the metadata itself.
    private let partialHead: [UInt8]

    init(strategy: any ResourceStrategy, now: Date, version: String, includeObject: String, rows: TableRowCache? = nil) {
        self.strategy = strategy; self.now = now; self.version = version; self.includeObject = includeObject; self.rows = rows
        partialHead = Self.partialHeads[version] ?? Self.partialHead(version)
    }

    // Byte arrays rather than string literals: appending a literal's UTF-8 view cost more than the
    // copy itself, once per row.
    private static let cellsKey = Array(#"{"cells":"#.utf8)
    private static let objectKey = Array(#","object":"#.utf8)

    private static func partialHead(_ version: String) -> [UInt8] {
        Array(",\"object\":{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/\(version)\",\"metadata\":".utf8)
    }
    /// The served meta.k8s.io versions' heads, made once rather than per request.
    private static let partialHeads = ["v1": partialHead("v1"), "v1beta1": partialHead("v1beta1")]

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

    /// A Table LIST up to its first row: `table([], revision:)` with `meta` as its metadata, encoded
    /// without the `]}` that closes its rows. Written directly rather than through a JSON tree (the
    /// tree of the column definitions cost as much as a few rows).
    func listHead(meta: JSON) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        out.append(contentsOf: #"{"kind":"Table","apiVersion":"#.utf8)
        JSONWriter.write(.string("meta.k8s.io/\(version)"), into: &out)
        out.append(contentsOf: #","metadata":"#.utf8)
        JSONWriter.write(meta, into: &out)
        out.append(contentsOf: #","columnDefinitions":"#.utf8)
        let columns = strategy.tableColumns
        out.append(contentsOf: rows?.encodedColumns(columns, encode: Self.encode) ?? Self.encode(columns))
        out.append(contentsOf: #","rows":["#.utf8)
        return out
    }

    /// The columnDefinitions array.
    static func encode(_ columns: [TableColumn]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, c) in columns.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"name":"#.utf8)
            JSONWriter.write(.string(c.name), into: &out)
            out.append(contentsOf: #","type":"#.utf8)
            JSONWriter.write(.string(c.type), into: &out)
            out.append(contentsOf: #","format":"#.utf8)
            JSONWriter.write(.string(c.format), into: &out)
            out.append(contentsOf: #","description":"#.utf8)
            JSONWriter.write(.string(c.description), into: &out)
            out.append(contentsOf: #","priority":"#.utf8)
            out.append(contentsOf: String(c.priority).utf8)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return out
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

    /// The rows of `items`, kept per revision when the builder has a cache and the kind's cells are
    /// templates (nil elsewhere: those rows are made afresh).
    func templates(_ items: [StoredObject]) -> [TableRowTemplate?] {
        guard let rows else { return [TableRowTemplate?](repeating: nil, count: items.count) }
        return rows.rows(for: items) { item in
            strategy.tableCellTemplate(item.object).map { TableRowTemplate(cells: $0, item: item) }
        }
    }

    /// `row(item.object)` encoded.
    func rowBytes(_ item: StoredObject, template: TableRowTemplate? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((includeObject == "Object" ? item.bytes.count : item.bytes.count / 2) + 256)
        writeRow(item, template: template, into: &out)
        return out
    }

    /// Appends `row(item.object)` encoded, written from the item's stored bytes where it can: the
    /// object (`Object`) or its `metadata` (`Metadata`) is copied, and with a template (made from this
    /// revision of the item) only the time-relative cells are encoded.
    func writeRow(_ item: StoredObject, template: TableRowTemplate?, into out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: Self.cellsKey)
        if let template {
            template.writeCells(now: now, into: &out)
        } else {
            JSONWriter.write(.array(strategy.tableCells(item.object, now: now)), into: &out)
        }
        switch includeObject {
        case "Object":
            out.append(contentsOf: Self.objectKey)
            out.append(contentsOf: item.bytes)
        case "Metadata":
            guard let metadata = template.map(\.metadata) ?? JSONMemberSlice.range(of: "metadata", in: item.bytes) else {
                out.removeSubrange(start...)
                JSONWriter.write(row(item.object), into: &out)
                return
            }
            out.append(contentsOf: partialHead)
            out.append(contentsOf: item.bytes[metadata])
            out.append(UInt8(ascii: "}"))
        default: break
        }
        out.append(UInt8(ascii: "}"))
    }

    static func partial(_ object: JSON, version: String) -> JSON {
        ["kind": "PartialObjectMetadata", "apiVersion": .string("meta.k8s.io/\(version)"), "metadata": object["metadata"] ?? .object([:])]
    }
}
