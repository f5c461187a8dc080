import APIMachinery
import Foundation
import HTTPServer
import Registry
import Storage

/// Writes resource objects and lists in the negotiated format. JSON lists are assembled from the
/// stored bytes of each item, so a list is never re-encoded.
struct ObjectWriter {
    let store: ResourceStore
    let request: HTTPRequest

    /// JSON lists larger than this are streamed (chunked, written as the client reads) rather than
    /// built whole: smaller ones are cheaper to send in one piece with a Content-Length.
    static let streamedListBytes = 1 << 20

    /// A stored object as read: as JSON in the served version, its stored bytes are the answer and it is
    /// not decoded (its tree may have been evicted: `DecodedTreeCache`); anything else reads the tree.
    func single(_ stored: StoredObject, format: ResponseFormat) throws(APIError) -> HTTPResponse {
        if case .json = format, Self.startsWithAPIVersion(stored.bytes, store.resource.apiVersion) {
            return Responses.json(stored.bytes)
        }
        return try single(stored.object, bytes: stored.bytes, format: format)
    }

    /// Whether the encoded object begins `{"apiVersion":"<version>",`, as every object the encoder
    /// wrote in that version does (apiVersion is its first member): then no version conversion applies.
    static func startsWithAPIVersion(_ bytes: [UInt8], _ apiVersion: String) -> Bool {
        let prefix = #"{"apiVersion":""#.utf8, version = apiVersion.utf8
        let total = prefix.count + version.count + 2
        guard bytes.count > total else { return false }
        return bytes.starts(with: prefix) && bytes[prefix.count..<(prefix.count + version.count)].elementsEqual(version)
            && bytes[prefix.count + version.count] == UInt8(ascii: "\"") && bytes[prefix.count + version.count + 1] == UInt8(ascii: ",")
    }

    func single(_ object: JSON, bytes: [UInt8]?, format: ResponseFormat, status: Int = 200, warnings: [String] = []) throws(APIError) -> HTTPResponse {
        var object = object, bytes = bytes
        if let converted = CustomResourceVersion.served(object, as: store.resource) { object = converted; bytes = nil }
        switch format {
        case .json, .yaml, .discovery:
            return Responses.encode(object, bytes: bytes, format: format == .yaml ? .yaml : .json, status: status, warnings: warnings)
        case .table(let version):
            let table = try self.table([object], revision: object[path: "metadata", "resourceVersion"]?.stringValue ?? "", version: version)
            return Responses.json(JSONWriter.encode(table), status: status, contentType: format.contentType, warnings: warnings)
        case .partialMetadata(let version):
            return Responses.json(JSONWriter.encode(partial(object, version: version)), status: status, contentType: format.contentType, warnings: warnings)
        }
    }

    /// A list's ListMeta: its revision, and when the list is paged, where the next page starts and how
    /// many objects remain after this one.
    struct ListMeta {
        var revision: Int64
        var continueToken: String?
        var remainingItemCount: Int?

        var json: JSON {
            var meta: JSONObject = ["resourceVersion": .string(String(revision))]
            if let continueToken { meta["continue"] = .string(continueToken) }
            if let remainingItemCount { meta["remainingItemCount"] = .int(Int64(remainingItemCount)) }
            return .object(meta)
        }
    }

    func list(_ items: [StoredObject], revision: Int64, format: ResponseFormat) throws(APIError) -> HTTPResponse {
        try list(items, meta: ListMeta(revision: revision), format: format)
    }

    func list(_ items: [StoredObject], meta: ListMeta, format: ResponseFormat) throws(APIError) -> HTTPResponse {
        let resource = store.resource
        let items = store.strategy is CustomResourceStrategy ? items.map { CustomResourceVersion.served($0, as: resource) } : items
        let revision = meta.revision
        switch format {
        case .json, .discovery:
            var out: [UInt8] = []
            let size = items.reduce(128) { $0 + $1.bytes.count + 1 }
            out.append(contentsOf: "{\"kind\":\"\(resource.listKind)\",\"apiVersion\":\"\(resource.apiVersion)\",\"metadata\":".utf8)
            JSONWriter.write(meta.json, into: &out)
            out.append(contentsOf: ",\"items\":[".utf8)
            if size > Self.streamedListBytes {
                return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")],
                                    stream: ListResponseStream(head: out, items: items))
            }
            out.reserveCapacity(size)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: item.bytes)
            }
            out.append(contentsOf: "]}".utf8)
            return Responses.json(out)
        case .yaml:
            let list: JSON = [
                "apiVersion": .string(resource.apiVersion), "items": .array(items.map(\.object)),
                "kind": .string(resource.listKind), "metadata": meta.json,
            ]
            guard Self.isLarge(items) else { return Responses.encode(list, bytes: nil, format: .yaml) }
            // go-yaml's order puts `items` between apiVersion and kind, and writes a sequence under a
            // key without indenting it, so each item's own `- ` entry is its part of the whole.
            let head = YAMLCodec.encode(["apiVersion": .string(resource.apiVersion)]) + "items:\n"
            let tail = YAMLCodec.encode(["kind": .string(resource.listKind), "metadata": meta.json])
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/yaml")], stream: ListResponseStream(
                head: Array(head.utf8), count: items.count, separator: [], tail: Array(tail.utf8)) { i in
                    Array(YAMLCodec.encode([items[i].object]).utf8)
                })
        case .table(let version):
            let builder = try tableBuilder(version: version)
            // Rows are written from the stored bytes (`writeRow`) after the Table's other members.
            let head = builder.listHead(meta: meta.json)
            let templates = builder.templates(items)
            guard Self.isLarge(items) else {
                var out: [UInt8] = []
                var size = head.count + 2
                for i in items.indices { size += items[i].bytes.count / 2 + 256 }
                out.reserveCapacity(size)
                out.append(contentsOf: head)
                // Through the buffer, each item is lent to writeRow rather than copied (a copy of a
                // StoredObject is five retains and releases).
                items.withUnsafeBufferPointer { items in
                    for i in items.indices {
                        if i > 0 { out.append(UInt8(ascii: ",")) }
                        builder.writeRow(items[i], template: templates[i], into: &out)
                    }
                }
                out.append(contentsOf: "]}".utf8)
                return Responses.json(out, contentType: format.contentType)
            }
            return HTTPResponse(status: 200, headers: [("Content-Type", format.contentType)], stream: ListResponseStream(
                head: head, count: items.count, separator: [UInt8(ascii: ",")], tail: Array("]}".utf8)) { i in
                    builder.rowBytes(items[i], template: templates[i])
                })
        case .partialMetadata(let version):
            let list: JSONObject = [
                "kind": "PartialObjectMetadataList", "apiVersion": .string("meta.k8s.io/\(version)"),
                "metadata": meta.json, "items": [],
            ]
            let partial: @Sendable (StoredObject) -> [UInt8] = { item in JSONWriter.encode(TableBuilder.partial(item.object, version: version)) }
            guard Self.isLarge(items) else {
                var whole = list
                whole["items"] = .array(items.map { TableBuilder.partial($0.object, version: version) })
                return Responses.json(JSONWriter.encode(.object(whole)), contentType: format.contentType)
            }
            return Self.streamed(list, items: items, contentType: format.contentType, item: partial)
        }
    }

    /// Lists above this many bytes of stored JSON are streamed.
    static func isLarge(_ items: [StoredObject]) -> Bool {
        items.reduce(128) { $0 + $1.bytes.count + 1 } > streamedListBytes
    }

    /// A JSON list whose last key is an empty array (`"rows":[]`, `"items":[]`), streamed with that
    /// array's elements written one by one.
    static func streamed(_ shell: JSONObject, items: [StoredObject], contentType: String,
                         item: @escaping @Sendable (StoredObject) -> [UInt8]) -> HTTPResponse {
        var head = JSONWriter.encode(.object(shell))
        head.removeLast(2)  // `]}`
        return HTTPResponse(status: 200, headers: [("Content-Type", contentType)], stream: ListResponseStream(
            head: head, count: items.count, separator: [UInt8(ascii: ",")], tail: Array("]}".utf8)) { item(items[$0]) })
    }

    private func partial(_ object: JSON, version: String) -> JSON {
        TableBuilder.partial(object, version: version)
    }

    func table(_ objects: [JSON], revision: String, version: String) throws(APIError) -> JSON {
        try tableBuilder(version: version).table(objects, revision: revision)
    }

    func tableBuilder(version: String) throws(APIError) -> TableBuilder {
        let include = try TableBuilder.includeObject(request.queryValue("includeObject"))
        return TableBuilder(strategy: store.strategy, now: store.clock.now(), version: version, includeObject: include, rows: store.tableRows)
    }
}
