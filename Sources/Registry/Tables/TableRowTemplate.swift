import APIMachinery
import Foundation
import Storage

/// One stored object's Table row as far as it can be prepared before a request: its cells encoded,
/// with the time-relative cells (`TableCell.since`) left as holes, and where the object's `metadata`
/// lies in its stored bytes. Writing the row for a request is then copying bytes and rendering each
/// hole's duration at the request's `now`, which is what upstream prints at that time. A class: rows
/// are handed around by the hundred per LIST, one reference each.
public final class TableRowTemplate: Sendable {
    /// The revision of the stored object the row was made from; it describes no other revision.
    public let revision: Int64
    /// The encoded cells array, without the open cells' strings.
    let cells: [UInt8]
    let holes: [Hole]
    /// The range of the `metadata` value in the stored bytes, nil when they have none.
    public let metadata: Range<Int>?
    /// The length of the stored bytes the range was found in.
    let storedByteCount: Int

    /// An open cell: `cells` holds its string's quotes and its prefix and suffix (encoded); the
    /// duration goes in at `offset`, between them.
    struct Hole: Sendable {
        let offset: Int
        let since: Date
    }

    public init(cells: [TableCell], item: StoredObject) {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        var holes: [Hole] = []
        for (i, cell) in cells.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            switch cell {
            case .value(let value): JSONWriter.write(value, into: &bytes)
            case .since(let date, let prefix, let suffix):
                bytes.append(contentsOf: JSONWriter.encode(.string(prefix)).dropLast())
                holes.append(Hole(offset: bytes.count, since: date))
                bytes.append(contentsOf: JSONWriter.encode(.string(suffix)).dropFirst())
            }
        }
        bytes.append(UInt8(ascii: "]"))
        self.revision = item.revision
        self.cells = bytes
        self.holes = holes
        self.metadata = JSONMemberSlice.range(of: "metadata", in: item.bytes)
        self.storedByteCount = item.bytes.count
    }

    /// Whether this row was made from `item` (the same revision of the same encoding).
    public func describes(_ item: StoredObject) -> Bool {
        describes(revision: item.revision, byteCount: item.bytes.count)
    }

    func describes(revision: Int64, byteCount: Int) -> Bool {
        self.revision == revision && storedByteCount == byteCount
    }

    /// Appends the cells array as upstream prints it at `now`.
    public func writeCells(now: Date, into out: inout [UInt8]) {
        var start = 0
        cells.withUnsafeBufferPointer { cells in
            for i in holes.indices {
                let offset = holes[i].offset
                out.append(contentsOf: UnsafeBufferPointer(rebasing: cells[start..<offset]))
                // The duration is written as bytes, not made a String and encoded: this runs for every row.
                let duration = out.count
                Timestamp.writeHumanDuration(now.timeIntervalSince(holes[i].since), into: &out)
                if out[duration] == UInt8(ascii: "<") {  // `<invalid>`, escaped as Go escapes it
                    out.removeSubrange(duration...)
                    out.append(contentsOf: #"\u003cinvalid\u003e"#.utf8)
                }
                start = offset
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: cells[start...]))
        }
    }
}
