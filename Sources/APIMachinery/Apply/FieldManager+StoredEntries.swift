/// The Update path for the common write, whose managedFields are the stored ones: entries stay in
/// their encoded form, and only those the change takes fields from (and the writer's own) are
/// decoded and encoded again. Same outcome as the general path, at a fraction of its cost on every
/// write (benchmarks/NOTES.md).
extension FieldManager {
    func updateStoredEntries(_ stored: [JSONObject], live: JSON?, new: inout JSON, manager: String, now: String) {
        // The server's fields are left out of the comparison rather than subtracted from its sets.
        var old = live ?? types.zeroObject(), current = new
        Self.stripServerFields(&old)
        Self.stripServerFields(&current)
        guard let comparison = try? types.compare(old, current) else {
            new[path: "metadata", "managedFields"] = live?[path: "metadata", "managedFields"]
            return
        }
        let changed = comparison.modified.union(comparison.added)
        let owned = changed
        var entries = stored
        var touched = false
        for i in entries.indices.reversed() {
            guard case .object(let fieldsV1)? = entries[i]["fieldsV1"],
                  changed.intersects(fieldsV1: fieldsV1) || comparison.removed.intersects(fieldsV1: fieldsV1) else { continue }
            touched = true
            guard let fields = try? FieldSet(fieldsV1: .object(fieldsV1)) else { continue }
            let rest = fields.subtracting(changed).subtracting(comparison.removed)
            if rest.isEmpty { entries.remove(at: i) } else { entries[i]["fieldsV1"] = rest.fieldsV1 }
        }
        if !owned.isEmpty {
            touched = true
            if let i = entries.firstIndex(where: { isOwnUpdateEntry($0, manager: manager) }) {
                let previous = (entries[i]["fieldsV1"].flatMap { try? FieldSet(fieldsV1: $0) }) ?? FieldSet()
                entries[i]["fieldsV1"] = previous.union(owned).fieldsV1
                entries[i]["time"] = .string(now)
            } else {
                var entry: JSONObject = ["manager": .string(manager), "operation": "Update", "apiVersion": .string(apiVersion),
                                         "time": .string(now), "fieldsType": "FieldsV1", "fieldsV1": owned.fieldsV1]
                if !subresource.isEmpty { entry["subresource"] = .string(subresource) }
                entries.append(entry)
            }
        }
        if !touched {
            new[path: "metadata", "managedFields"] = live?[path: "metadata", "managedFields"]
            return
        }
        if entries.filter({ $0["operation"] == "Update" }).count > Self.maxUpdateManagers,
           let decoded = try? ManagedFieldsList.decode(.array(entries.map { .object($0) })) {
            Self.store(Self.capped(decoded), in: &new)
            return
        }
        Self.store(encoded: ManagedFieldsList.sorted(entries), in: &new)
    }

    /// `strippedFields`, removed from an object (and its managedFields with them).
    static func stripServerFields(_ object: inout JSON) {
        guard case .object(var root) = object else { return }
        object = .null
        root["apiVersion"] = nil
        root["kind"] = nil
        if case .object(var metadata)? = root["metadata"] {
            root["metadata"] = .null
            for field in ["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
                          "managedFields", "resourceVersion"] {
                metadata[field] = nil
            }
            root["metadata"] = .object(metadata)
        }
        object = .object(root)
    }

    private func isOwnUpdateEntry(_ entry: JSONObject, manager: String) -> Bool {
        entry["manager"]?.stringValue == manager && entry["operation"] == "Update"
            && entry["apiVersion"]?.stringValue == apiVersion && (entry["subresource"]?.stringValue ?? "") == subresource
    }

    static func store(encoded entries: [JSONObject], in object: inout JSON) {
        object[path: "metadata", "managedFields"] = entries.isEmpty ? JSON?.none : .array(entries.map { .object($0) })
    }
}

extension ManagedFieldsList {
    /// The stored list as entry objects when each is well formed (Apply or Update, FieldsV1), without
    /// decoding their field sets; nil when one is not (the general path then decodes and resets).
    static func storedEntries(_ json: JSON?) -> [JSONObject]? {
        guard let json, !json.isNull else { return [] }
        guard case .array(let items) = json else { return nil }
        var entries: [JSONObject] = []
        entries.reserveCapacity(items.count)
        for item in items {
            guard case .object(let o) = item, o["fieldsType"] == "FieldsV1", o["operation"] == "Apply" || o["operation"] == "Update",
                  case .object? = o["fieldsV1"] else { return nil }
            entries.append(o)
        }
        return entries
    }

    /// Encoded entries in upstream's order (see `encode`).
    static func sorted(_ entries: [JSONObject]) -> [JSONObject] {
        entries.sorted { p, q in
            let (po, qo) = (p["operation"]?.stringValue ?? "", q["operation"]?.stringValue ?? "")
            if po != qo { return po < qo }
            let (pt, qt) = ((p["time"]?.stringValue ?? "").prefix(19), (q["time"]?.stringValue ?? "").prefix(19))
            if pt != qt { return pt < qt }
            for field in ["manager", "apiVersion", "subresource"] {
                let (a, b) = (p[field]?.stringValue ?? "", q[field]?.stringValue ?? "")
                if a != b { return a < b }
            }
            return false
        }
    }
}

extension FieldSet {
    /// Whether this set and an encoded `fieldsV1` share a path, without decoding it.
    func intersects(fieldsV1 object: JSONObject) -> Bool {
        for member in members {
            if case .object(let inner)? = object[member.fieldsV1Key], inner.isEmpty || inner["."] != nil { return true }
        }
        for (element, subtree) in children {
            if case .object(let inner)? = object[element.fieldsV1Key], subtree.intersects(fieldsV1: inner) { return true }
        }
        return false
    }
}
