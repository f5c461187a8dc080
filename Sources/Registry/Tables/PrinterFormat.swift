import APIMachinery
import Foundation

/// The formatting helpers of upstream's pkg/printers/internalversion, over decoded JSON objects.
///
/// Cells follow the internal types' zero values: a missing string prints as "", a missing count as 0,
/// so an object stored without optional fields prints as upstream prints the same object.
enum PrinterFormat {
    /// A string field, or "" when absent (Go's zero value).
    static func string(_ value: JSON?) -> String { value?.stringValue ?? "" }

    /// An integer field, or 0 when absent.
    static func int(_ value: JSON?) -> Int64 { value?.intValue ?? 0 }

    /// An array field, or empty when absent.
    static func array(_ value: JSON?) -> [JSON] { value?.arrayValue ?? [] }

    /// The object's name cell.
    static func name(_ object: JSON) -> JSON { .string(string(object[path: "metadata", "name"])) }

    /// Upstream's translateTimestampSince: `<unknown>` for a missing (zero) time.
    static func since(_ timestamp: JSON?, now: Date) -> String {
        guard let date = date(timestamp) else { return "<unknown>" }
        return Timestamp.humanDuration(now.timeIntervalSince(date))
    }

    static func date(_ timestamp: JSON?) -> Date? {
        guard let text = timestamp?.stringValue, !text.isEmpty else { return nil }
        return Timestamp.parse(text)
    }

    /// The AGE cell.
    static func age(_ object: JSON, now: Date) -> JSON { .string(TableColumn.age(of: object, now: now)) }

    /// The AGE cell before the time of the request is known: `<unknown>` without a creationTimestamp.
    static func ageCell(_ object: JSON) -> TableCell {
        guard let created = TableColumn.created(object) else { return "<unknown>" }
        return .since(created)
    }

    /// Whether metadata.deletionTimestamp is set.
    static func isDeleting(_ object: JSON) -> Bool {
        guard let ts = object[path: "metadata", "deletionTimestamp"] else { return false }
        return !ts.isNull
    }

    /// labels.FormatLabels: `k=v` pairs sorted by key, joined by commas; `<none>` when empty.
    static func labels(_ value: JSON?) -> String {
        guard let map = value?.objectValue, !map.isEmpty else { return "<none>" }
        return map.keys.sorted().map { "\($0)=\(map[$0]?.stringValue ?? "")" }.joined(separator: ",")
    }

    /// metav1.LabelSelectorAsSelector(selector).String(): requirements sorted by key; "" for an
    /// absent or empty selector.
    static func selector(_ value: JSON?) -> String { LabelSelector(json: value).queryString }

    /// layoutContainerCells: container names and images, each joined by commas.
    static func containerCells(_ containers: JSON?) -> (names: String, images: String) {
        let list = array(containers)
        return (list.map { string($0["name"]) }.joined(separator: ","),
                list.map { string($0["image"]) }.joined(separator: ","))
    }

    /// helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once.
    static func accessModes(_ value: JSON?) -> String {
        let modes = Set(array(value).compactMap(\.stringValue))
        let known: [(String, String)] = [
            ("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"),
        ]
        return known.filter { modes.contains($0.0) }.map(\.1).joined(separator: ",")
    }

    /// Quantity.String() of a resource list entry; a missing quantity is the zero quantity, "0".
    /// Quantities are printed as stored: the API keeps them in canonical form.
    static func quantity(_ list: JSON?, _ resource: String) -> String {
        guard let q = list?[resource] else { return "0" }
        switch q {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        default: return "0"
        }
    }

    /// listWithMoreString: the first items, `+ N more...` past the limit, `<unset>` when empty.
    static func listWithMore(_ list: [String], more: Bool, count: Int, max: Int) -> String {
        let joined = list.joined(separator: ",")
        if more { return "\(joined) + \(count - max) more..." }
        return joined.isEmpty ? "<unset>" : joined
    }

    /// net.JoinHostPort: IPv6 hosts are bracketed.
    static func joinHostPort(_ host: String, _ port: Int64) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The value of a condition of `type` in a status.conditions list.
    static func condition(_ conditions: JSON?, _ type: String) -> JSON? {
        array(conditions).first { $0["type"]?.stringValue == type }
    }
}
