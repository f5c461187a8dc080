import Foundation
import Storage

/// The Table rows of one resource's stored objects, kept per revision. `kubectl get` asks for Tables,
/// and a LIST as a Table used to compute every row's cells (status summaries, timestamp parsing,
/// encoding) again on every request, most of a Table LIST's cost; a stored revision never changes, so
/// its row is computed once and only the time-relative cells are rendered per request.
///
/// A row is used only for the exact revision it was made from (`TableRowTemplate.describes`): an
/// older or newer revision of the object makes a new row that replaces it. Bounded at `capacity`
/// rows (dropped all at once when full, to be refilled by the next LISTs), so deleted objects' rows
/// cannot accumulate.
public final class TableRowCache: @unchecked Sendable {
    public static let defaultCapacity = 10_000

    public let capacity: Int
    private let lock = NSLock()
    /// By namespace, then name (the store's resource is the same for all): a list is in namespace
    /// order, so most lookups hash only a name.
    private var rows: [String: [String: TableRowTemplate]] = [:]
    private var rowCount = 0
    /// The encoded columnDefinitions and the columns they were made from.
    private var columns: (definitions: [TableColumn], bytes: [UInt8])?

    public init(capacity: Int = TableRowCache.defaultCapacity) {
        self.capacity = capacity
    }

    public var count: Int {
        lock.lock(); defer { lock.unlock() }
        return rowCount
    }

    /// `columns` encoded by `encode`, kept while the columns stay the same: encoding the descriptions
    /// cost as much as a few rows, on every LIST.
    public func encodedColumns(_ columns: [TableColumn], encode: ([TableColumn]) -> [UInt8]) -> [UInt8] {
        lock.lock()
        if let kept = self.columns, kept.definitions == columns { lock.unlock(); return kept.bytes }
        lock.unlock()
        let bytes = encode(columns)
        lock.lock(); defer { lock.unlock() }
        self.columns = (columns, bytes)
        return bytes
    }

    /// Each item's row, from the cache or made by `make` (then kept); nil where `make` answers nil
    /// (a kind whose cells are not templates).
    public func rows(for items: [StoredObject], make: (StoredObject) -> TableRowTemplate?) -> [TableRowTemplate?] {
        var found = [TableRowTemplate?](repeating: nil, count: items.count)
        var missing: [Int] = []
        // Items are read in place (not copied out of the array): a copy of a StoredObject is five
        // retains and releases, which showed in a LIST's profile.
        lock.lock()
        var namespace: String?
        var named: [String: TableRowTemplate] = [:]
        for i in items.indices {
            if items[i].key.namespace != namespace {
                namespace = items[i].key.namespace
                named = rows[items[i].key.namespace] ?? [:]
            }
            if let row = named[items[i].key.name], row.describes(revision: items[i].revision, byteCount: items[i].bytes.count) {
                found[i] = row
            } else {
                missing.append(i)
            }
        }
        named = [:]
        lock.unlock()
        guard !missing.isEmpty else { return found }
        // Made outside the lock: other requests' lookups do not wait for these rows' cells.
        var made: [Int] = []
        for i in missing {
            guard let row = make(items[i]) else { continue }
            found[i] = row
            made.append(i)
        }
        guard !made.isEmpty else { return found }
        lock.lock()
        if rowCount + made.count > capacity { rows.removeAll(keepingCapacity: true); rowCount = 0 }
        for i in made.prefix(capacity) {
            let row = found[i]!, key = items[i].key
            if let kept = rows[key.namespace]?[key.name] {
                if kept.revision > row.revision { continue }
            } else {
                rowCount += 1
            }
            rows[key.namespace, default: [:]][key.name] = row
        }
        lock.unlock()
        return found
    }
}
