import Foundation
import HTTPServer
import Storage

/// A list written item by item as the connection takes it (chunked), as upstream's streaming list
/// encoder writes `items`: a large LIST then costs one chunk of output at a time instead of a copy
/// of the whole response. JSON items are the store's encoded bytes (shared, not copied); YAML items
/// and Table rows are encoded as each chunk is made, so only one chunk's worth exists at a time.
final class ListResponseStream: ResponseStream, @unchecked Sendable {
    /// Output is handed over in pieces of about this size (an item is never split).
    static let chunkBytes = 64 * 1024

    private let lock = NSLock()
    private var head: [UInt8]
    private let count: Int
    private let separator: [UInt8]
    private let tail: [UInt8]
    /// The encoded item at an index; dropped (and the items with it) once the list is written.
    private var item: (@Sendable (Int) -> [UInt8])?
    private var next = 0
    private var finished = false

    /// - Parameters:
    ///   - head: the list up to its first item (`{...,"items":[` for JSON, `...items:\n` for YAML).
    ///   - separator: written between items (`,` for JSON, nothing for YAML's `- ` entries).
    ///   - tail: the list after its last item.
    init(head: [UInt8], count: Int, separator: [UInt8], tail: [UInt8], item: @escaping @Sendable (Int) -> [UInt8]) {
        self.head = head; self.count = count; self.separator = separator; self.tail = tail; self.item = item
    }

    /// A JSON list of stored objects' bytes; `head` ends with `"items":[`.
    convenience init(head: [UInt8], items: [StoredObject]) {
        let bytes = items.map(\.bytes)
        self.init(head: head, count: bytes.count, separator: [UInt8(ascii: ",")], tail: Array("]}".utf8)) { bytes[$0] }
    }

    /// Never pending: the items are all at hand.
    func attach(wake: @escaping @Sendable () -> Void) {}

    func read(max: Int) -> StreamRead {
        lock.lock(); defer { lock.unlock() }
        guard !finished, let item else { return .end }
        var out = head
        head = []
        out.reserveCapacity(Self.chunkBytes * 2)
        while next < count, out.count < Self.chunkBytes {
            if next > 0 { out.append(contentsOf: separator) }
            out.append(contentsOf: item(next))
            next += 1
        }
        if next == count {
            out.append(contentsOf: tail)
            finish()
        }
        return .data(out)
    }

    func close() {
        lock.lock(); defer { lock.unlock() }
        finish()
    }

    private func finish() {
        finished = true
        item = nil
    }
}
