/// One `metadata.managedFields` entry: who set which fields, by apply or by update, through which
/// apiVersion and subresource, and when.
public struct ManagedFieldsEntry: Sendable, Equatable {
    public enum Operation: String, Sendable { case apply = "Apply", update = "Update" }

    public var manager: String
    public var operation: Operation
    public var apiVersion: String
    public var time: String?
    public var subresource: String
    public var fields: FieldSet

    public init(manager: String, operation: Operation, apiVersion: String, time: String? = nil, subresource: String = "", fields: FieldSet) {
        self.manager = manager; self.operation = operation; self.apiVersion = apiVersion
        self.time = time; self.subresource = subresource; self.fields = fields
    }

    /// Upstream's manager identifier (`BuildManagerIdentifier`): entries with the same one are one
    /// entry. An applier keeps one entry whatever apiVersion it applies through.
    public struct Identity: Hashable, Sendable {
        public var manager: String
        public var operation: Operation
        public var apiVersion: String
        public var subresource: String
    }

    public var identity: Identity {
        Identity(manager: manager, operation: operation, apiVersion: operation == .apply ? "" : apiVersion, subresource: subresource)
    }

    /// How conflict messages name the manager (`printManager`): `"kubectl" with subresource
    /// "status" using v1`; appliers without the version.
    public var conflictName: String {
        var name = FieldError.quote(manager)
        if !subresource.isEmpty { name += " with subresource \(FieldError.quote(subresource))" }
        if operation == .update { name += " using \(apiVersion)" }
        return name
    }
}

/// Reading and writing `metadata.managedFields`.
public enum ManagedFieldsList {
    public struct DecodingError: Error, Sendable { public var message: String }

    /// Decodes the entries; absent or null is none. Anything upstream's `DecodeManagedFields`
    /// refuses (a fieldsType other than FieldsV1, unparsable fieldsV1) fails the whole list, and an
    /// operation other than Apply or Update too (upstream's validation refuses those).
    public static func decode(_ json: JSON?) throws(DecodingError) -> [ManagedFieldsEntry] {
        guard let json, !json.isNull else { return [] }
        guard case .array(let items) = json else { throw DecodingError(message: "managedFields must be a list") }
        var entries: [ManagedFieldsEntry] = []
        entries.reserveCapacity(items.count)
        for item in items {
            guard case .object(let o) = item else { throw DecodingError(message: "managedFields entry must be an object") }
            guard o["fieldsType"]?.stringValue == "FieldsV1" else {
                throw DecodingError(message: "error decoding versioned set: Invalid FieldsType")
            }
            guard let operation = o["operation"]?.stringValue.flatMap(ManagedFieldsEntry.Operation.init(rawValue:)) else {
                throw DecodingError(message: "unsupported operation")
            }
            let fields: FieldSet
            do { fields = try FieldSet(fieldsV1: o["fieldsV1"] ?? .object([:])) } catch { throw DecodingError(message: error.message) }
            entries.append(ManagedFieldsEntry(
                manager: o["manager"]?.stringValue ?? "", operation: operation, apiVersion: o["apiVersion"]?.stringValue ?? "",
                time: o["time"]?.stringValue, subresource: o["subresource"]?.stringValue ?? "", fields: fields))
        }
        return entries
    }

    /// The request asks to clear managedFields: an empty list (not absent), or one empty entry.
    public static func isReset(_ json: JSON?) -> Bool {
        guard case .array(let items)? = json else { return false }
        if items.isEmpty { return true }
        return items.count == 1 && items[0].isEmptyObject
    }

    /// Encodes in upstream's order (`sortEncodedManagedFields`): appliers first, then by time,
    /// manager, apiVersion and subresource; fields in Go's struct order.
    public static func encode(_ entries: [ManagedFieldsEntry]) -> JSON {
        let sorted = entries.sorted { p, q in
            if p.operation != q.operation { return p.operation.rawValue < q.operation.rawValue }
            let (pt, qt) = (seconds(p.time), seconds(q.time))
            if pt != qt { return pt < qt }
            if p.manager != q.manager { return p.manager < q.manager }
            if p.apiVersion != q.apiVersion { return p.apiVersion < q.apiVersion }
            return p.subresource < q.subresource
        }
        return .array(sorted.map { entry in
            var o: JSONObject = ["manager": .string(entry.manager), "operation": .string(entry.operation.rawValue),
                                 "apiVersion": .string(entry.apiVersion)]
            if let time = entry.time { o["time"] = .string(time) }
            o["fieldsType"] = "FieldsV1"
            o["fieldsV1"] = entry.fields.fieldsV1
            if !entry.subresource.isEmpty { o["subresource"] = .string(entry.subresource) }
            return .object(o)
        })
    }

    /// RFC 3339 times of one format sort as text to the second; compare the seconds part only.
    private static func seconds(_ time: String?) -> Substring {
        guard let time else { return "" }
        return time.prefix(19)
    }
}
