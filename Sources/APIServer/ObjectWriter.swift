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
            return Responses.encode(list, bytes: nil, format: .yaml)
        case .table(let version):
            var table = try self.table(items.map(\.object), revision: String(revision), version: version)
            table["metadata"] = meta.json
            return Responses.json(JSONWriter.encode(table), contentType: format.contentType)
        case .partialMetadata(let version):
            let list: JSON = [
                "kind": "PartialObjectMetadataList", "apiVersion": .string("meta.k8s.io/\(version)"),
                "metadata": meta.json,
                "items": .array(items.map { partial($0.object, version: version) }),
            ]
            return Responses.json(JSONWriter.encode(list), contentType: format.contentType)
        }
    }

    private func partial(_ object: JSON, version: String) -> JSON {
        TableBuilder.partial(object, version: version)
    }

    func table(_ objects: [JSON], revision: String, version: String) throws(APIError) -> JSON {
        let include = try TableBuilder.includeObject(request.queryValue("includeObject"))
        return TableBuilder(strategy: store.strategy, now: store.clock.now(), version: version, includeObject: include)
            .table(objects, revision: revision)
    }
}
