import Foundation
import HTTPServer
import Storage

/// A JSON list written item by item as the connection takes it (chunked), as upstream's streaming
/// list encoder writes `items`: a large LIST then costs one chunk of output at a time instead of a
/// copy of the whole response. It keeps only each item's encoded bytes (shared with the store, not
/// copied): one reference per item while the list is written, not the page of stored objects.
final class ListResponseStream: ResponseStream, @unchecked Sendable {
    /// Output is handed over in pieces of about this size (an item is never split).
    static let chunkBytes = 64 * 1024

    private let lock = NSLock()
    private var head: [UInt8]
    private var items: [[UInt8]]
    private var next = 0
    private var finished = false

    /// - Parameter head: the list up to and including `"items":[`.
    init(head: [UInt8], items: [StoredObject]) {
        self.head = head; self.items = items.map(\.bytes)
    }

    /// Never pending: the items are all at hand.
    func attach(wake: @escaping @Sendable () -> Void) {}

    func read(max: Int) -> StreamRead {
        lock.lock(); defer { lock.unlock() }
        if finished { return .end }
        var out = head
        head = []
        out.reserveCapacity(Self.chunkBytes + (next < items.count ? items[next].count : 0) + 2)
        while next < items.count, out.count < Self.chunkBytes {
            if next > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: items[next])
            next += 1
        }
        if next == items.count {
            out.append(contentsOf: "]}".utf8)
            finished = true
            items = []
        }
        return .data(out)
    }

    func close() {
        lock.lock(); defer { lock.unlock() }
        finished = true
        items = []
    }
}
