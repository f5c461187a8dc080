/// Maintains `metadata.managedFields` on writes and merges applied configurations, as
/// k8s.io/apiserver's field manager does (its structured-merge manager, the managed-fields updater,
/// strip-meta and cap-managers steps) over structured-merge-diff's `Updater`.
///
/// Objects handed in are whole objects with their `metadata.managedFields`; what comes back has the
/// new list in place.
public struct FieldManager: Sendable {
    public let types: TypedSchema
    /// The kind's apiVersion (`apps/v1`), recorded in entries.
    public let apiVersion: String
    /// `status`, `scale` or empty: recorded in entries; a subresource write never takes the
    /// managedFields its request carries.
    public let subresource: String
    /// Fields the write path resets (upstream's `ResetFieldsStrategy`), never owned by an applier.
    public let resetFields: FieldFilter
    /// The kind's name, for error messages.
    public let kind: String

    /// Upstream keeps at most ten Update entries; older ones merge into `ancient-changes`.
    static let maxUpdateManagers = 10

    public init(types: TypedSchema, apiVersion: String, kind: String, subresource: String = "", resetFields: FieldFilter = .none) {
        self.types = types; self.apiVersion = apiVersion; self.kind = kind; self.subresource = subresource; self.resetFields = resetFields
    }

    /// Fields no entry ever holds (`stripMetaManager`): what the server sets and the identity.
    static let strippedFields: FieldSet = {
        var set = FieldSet()
        for top in ["apiVersion", "kind", "metadata"] { set.insert([.field(top)]) }
        for field in ["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
                      "managedFields", "resourceVersion"] {
            set.insert([.field("metadata"), .field(field)])
        }
        return set
    }()

    // MARK: Update

    /// Records an Update by `manager` turning `live` into `new` (create: `live` is nil). Upstream's
    /// `UpdateNoErrors`: managedFields the request sets (and that decode) are taken as given, an
    /// empty list or `[{}]` clears them; if the object cannot be walked, the live entries stay.
    public func update(live: JSON?, new: inout JSON, manager: String, now: String) {
        let liveList = live?[path: "metadata", "managedFields"]
        let requested = new[path: "metadata", "managedFields"]
        // Most writes carry the stored list untouched (a patch, a PUT of what was read): then only the
        // entries the change touches are decoded (`updateStoredEntries`).
        if !subresource.isEmpty || requested == nil || requested == liveList,
           let stored = ManagedFieldsList.storedEntries(liveList) {
            updateStoredEntries(stored, live: live, new: &new, manager: manager, now: now)
            return
        }
        let liveEntries = (try? ManagedFieldsList.decode(live?[path: "metadata", "managedFields"])) ?? []
        var entries = liveEntries
        if subresource.isEmpty {
            let requested = new[path: "metadata", "managedFields"]
            if ManagedFieldsList.isReset(requested) {
                entries = []
            } else if let decoded = try? ManagedFieldsList.decode(requested), !decoded.isEmpty {
                entries = decoded
            }
        }
        new[path: "metadata", "managedFields"] = nil
        var old = live ?? types.zeroObject()
        old[path: "metadata", "managedFields"] = nil
        guard let comparison = try? types.compare(old, new) else {
            Self.store(liveEntries, in: &new)
            return
        }
        let changed = comparison.modified.union(comparison.added)
        for i in entries.indices {
            entries[i].fields = entries[i].fields.subtracting(changed).subtracting(comparison.removed)
        }
        let owned = changed.subtracting(Self.strippedFields)
        if !owned.isEmpty {
            let identity = ManagedFieldsEntry.Identity(manager: manager, operation: .update, apiVersion: apiVersion, subresource: subresource)
            if let i = entries.firstIndex(where: { $0.identity == identity }) {
                entries[i].fields = entries[i].fields.union(owned)
                entries[i].time = now
            } else {
                entries.append(ManagedFieldsEntry(manager: manager, operation: .update, apiVersion: apiVersion, time: now,
                                                  subresource: subresource, fields: owned))
            }
        }
        entries = Self.capped(finished(entries))
        Self.store(entries, in: &new)
    }

    // MARK: Apply

    /// The outcome of an apply: the new object (nil when it would not change), or the conflicts.
    public enum ApplyResult: Sendable {
        case applied(JSON)
        case unchanged(JSON)
    }

    /// Applies `config` for `manager` over `live` (`types.zeroObject()` when creating): merges it, removes
    /// what the manager applied before and no one owns any more, and takes ownership of what it
    /// sets, failing with the conflicts unless `force` (upstream's `Updater.Apply`).
    public func apply(live: JSON, config: JSON, manager: String, force: Bool, now: String) throws(APIError) -> ApplyResult {
        do {
            return try applyMigratingLastApplied(live: live, config: config, manager: manager, force: force, now: now)
        } catch {
            switch error {
            case .conflicts(let conflicts): throw Self.conflictError(conflicts)
            case .failed(let apiError): throw apiError
            }
        }
    }

    /// A field another manager owns, which an apply would change.
    struct Conflict: Sendable {
        var entry: ManagedFieldsEntry
        var path: [FieldPathElement]
    }

    enum ApplyFailure: Error {
        case conflicts([Conflict])
        case failed(APIError)
    }

    /// structured-merge-diff's `Updater.Apply` under the managed-fields updater.
    func merge(live: JSON, config: JSON, manager: String, force: Bool, now: String) throws(ApplyFailure) -> ApplyResult {
        var entries: [ManagedFieldsEntry]
        do { entries = try ManagedFieldsList.decode(live[path: "metadata", "managedFields"]) } catch {
            throw .failed(APIError.internalError("failed to decode managed fields: \(error.message)"))
        }
        var base = live
        base[path: "metadata", "managedFields"] = nil
        let configSet: FieldSet, merged: JSON
        do {
            configSet = resetFields.filter(try types.fieldSet(config))
            merged = try types.merge(base, config)
        } catch {
            throw .failed(APIError.internalError("failed to create typed patch object (\(apiVersion), Kind=\(kind)): \(error.description)"))
        }
        let identity = ManagedFieldsEntry.Identity(manager: manager, operation: .apply, apiVersion: "", subresource: subresource)
        let previous = entries.firstIndex { $0.identity == identity }
        let lastSet = previous.map { entries[$0].fields }
        if let previous {
            entries[previous].fields = configSet
            entries[previous].apiVersion = apiVersion
        } else {
            entries.append(ManagedFieldsEntry(manager: manager, operation: .apply, apiVersion: apiVersion, subresource: subresource, fields: configSet))
        }
        let applier = previous ?? entries.count - 1

        // Prune: what the manager applied last time, does not apply now, and nobody else owns.
        var result = merged
        if let lastSet, !lastSet.isEmpty {
            var managed = FieldSet()
            for entry in entries { managed = managed.union(entry.fields) }
            let orphaned = types.ensuringNamedFieldsAreMembers(lastSet)
                .subtracting(types.ensuringNamedFieldsAreMembers(managed))
            if !orphaned.isEmpty { result = types.removing(orphaned, from: result) }
        }

        let comparison: FieldComparison
        do { comparison = try types.compare(base, result) } catch {
            throw .failed(APIError.internalError("failed to compare objects: \(error.description)"))
        }
        let changed = comparison.modified.union(comparison.added)
        var conflicts: [Conflict] = []
        for i in entries.indices where i != applier {
            let taken = entries[i].fields.intersection(changed)
            if !taken.isEmpty {
                conflicts += taken.paths().map { Conflict(entry: entries[i], path: $0) }
                entries[i].fields = entries[i].fields.subtracting(taken)
            }
            entries[i].fields = entries[i].fields.subtracting(comparison.removed)
        }
        if !force, !conflicts.isEmpty { throw .conflicts(conflicts) }

        let unchanged = JSONOrder.equal(base, result)
        if !unchanged { entries[applier].time = now }
        entries = Self.capped(finished(entries))
        Self.store(entries, in: &result)
        if unchanged {
            var kept = live
            Self.store(entries, in: &kept)
            return .unchanged(kept)
        }
        return .applied(result)
    }

    /// Strips the server's fields from every entry and drops entries left empty.
    private func finished(_ entries: [ManagedFieldsEntry]) -> [ManagedFieldsEntry] {
        entries.compactMap { entry in
            var entry = entry
            entry.fields = entry.fields.subtracting(Self.strippedFields)
            return entry.fields.isEmpty ? nil : entry
        }
    }

    /// More than ten Update entries: the oldest merge, per apiVersion, into `ancient-changes`.
    static func capped(_ entries: [ManagedFieldsEntry]) -> [ManagedFieldsEntry] {
        let updaters = entries.indices.filter { entries[$0].operation == .update }
        guard updaters.count > maxUpdateManagers else { return entries }
        let oldestFirst = updaters.sorted {
            let (a, b) = (entries[$0], entries[$1])
            if (a.time ?? "") != (b.time ?? "") { return (a.time ?? "") < (b.time ?? "") }
            return a.manager < b.manager
        }
        var result = entries
        var removed: Set<Int> = []
        var bucketByVersion: [String: Int] = [:]
        var remaining = updaters.count
        for index in oldestFirst where remaining > maxUpdateManagers {
            let entry = entries[index]
            if let bucket = bucketByVersion[entry.apiVersion] {
                result[bucket].fields = result[bucket].fields.union(entry.fields)
                result[bucket].time = entry.time
                result[bucket].manager = "ancient-changes"
                removed.insert(index)
                remaining -= 1
            } else {
                bucketByVersion[entry.apiVersion] = index
            }
        }
        return result.indices.filter { !removed.contains($0) }.map { result[$0] }
    }

    static func store(_ entries: [ManagedFieldsEntry], in object: inout JSON) {
        object[path: "metadata", "managedFields"] = entries.isEmpty ? JSON?.none : ManagedFieldsList.encode(entries)
    }

    /// Upstream's apply conflict (`NewConflictError`): 409 with one FieldManagerConflict cause per
    /// field and the message naming each manager and field.
    static func conflictError(_ conflicts: [Conflict]) -> APIError {
        let causes = conflicts.map { conflict in
            APIError.Cause(reason: "FieldManagerConflict", message: "conflict with \(conflict.entry.conflictName)", field: FieldSet.describe(conflict.path))
        }
        let message: String
        if conflicts.count == 1 {
            message = "Apply failed with 1 conflict: conflict with \(conflicts[0].entry.conflictName): \(FieldSet.describe(conflicts[0].path))"
        } else {
            var byManager: [String: [String]] = [:]
            for c in conflicts { byManager[c.entry.conflictName, default: []].append(FieldSet.describe(c.path)) }
            var lines: [String] = []
            for name in byManager.keys.sorted() {
                lines.append("conflicts with \(name):")
                lines += byManager[name]!.map { "- \($0)" }
            }
            message = "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
        return APIError(code: 409, reason: "Conflict", message: message, details: APIError.Details(causes: causes))
    }
}

/// Which top-level fields a write path resets, and so no manager owns through it: a main
/// resource with a status subresource resets `status`; the status subresource everything else.
public enum FieldFilter: Sendable {
    case none
    case excluding(Set<String>)
    case only(Set<String>)

    public func filter(_ set: FieldSet) -> FieldSet {
        switch self {
        case .none: return set
        case .excluding(let fields):
            var result = set
            for field in fields {
                result.members.remove(.field(field))
                result.children[.field(field)] = nil
            }
            return result
        case .only(let fields):
            var result = FieldSet()
            for field in fields {
                if set.members.contains(.field(field)) { result.members.insert(.field(field)) }
                if let below = set.children[.field(field)] { result.children[.field(field)] = below }
            }
            return result
        }
    }
}
