import APIMachinery
import KubeliteTesting
@testable import Storage
import XCTest

final class SortedObjectIndexTests: XCTestCase {
    func object(_ namespace: String, _ name: String, revision: Int64 = 1) -> StoredObject {
        StoredObject(key: StorageKey(resource: "configmaps", namespace: namespace, name: name), object: [:], bytes: [], revision: revision)
    }

    func key(_ namespace: String, _ name: String) -> StorageKey {
        StorageKey(resource: "configmaps", namespace: namespace, name: name)
    }

    func names<C: Collection>(_ objects: C) -> [String] where C.Element == StoredObject {
        objects.map { "\($0.key.namespace)/\($0.key.name)" }
    }

    /// Checks the structural invariants: no empty or oversized chunk, strict order across chunks, count.
    func assertWellFormed(_ index: SortedObjectIndex, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(index.chunks.reduce(0) { $0 + $1.count }, index.count, "count", file: file, line: line)
        XCTAssertFalse(index.chunks.contains { $0.isEmpty || $0.count > SortedObjectIndex.maxChunk }, "chunk sizes", file: file, line: line)
        let all = Array(index)
        XCTAssertEqual(all.count, index.count, file: file, line: line)
        for (a, b) in zip(all, all.dropFirst()) where !SortedObjects.precedes(a.key, b.key) {
            XCTFail("\(a.key) not before \(b.key)", file: file, line: line)
            return
        }
    }

    func padded(_ i: Int) -> String { String(repeating: "0", count: 5 - String(i).count) + String(i) }

    func testInsertsOutOfOrderComeOutSortedAndFullChunksSplit() {
        var index = SortedObjectIndex()
        let total = SortedObjectIndex.maxChunk * 5 + 3
        for i in (0..<total).reversed() { XCTAssertTrue(index.put(object("ns", padded(i)))) }
        assertWellFormed(index)
        XCTAssertGreaterThan(index.chunks.count, 5)
        XCTAssertEqual(names(index), (0..<total).map { "ns/\(padded($0))" })
        XCTAssertEqual(index.distance(from: index.startIndex, to: index.endIndex), total)
    }

    func testPutReplacesAnExistingKeyInPlace() {
        var index = SortedObjectIndex()
        for i in 0..<600 { index.put(object("ns", padded(i))) }
        XCTAssertFalse(index.put(object("ns", padded(300), revision: 9)))
        XCTAssertEqual(index.count, 600)
        XCTAssertEqual(index[index.lowerBound(key("ns", padded(300)))].revision, 9)
        assertWellFormed(index)
    }

    func testRemovingEverythingLeavesNoChunks() {
        var index = SortedObjectIndex()
        for i in 0..<1000 { index.put(object("ns", padded(i))) }
        XCTAssertFalse(index.remove(key("ns", "missing")))
        for i in stride(from: 0, to: 1000, by: 2) { XCTAssertTrue(index.remove(key("ns", padded(i)))) }
        assertWellFormed(index)
        for i in stride(from: 1, to: 1000, by: 2) { XCTAssertTrue(index.remove(key("ns", padded(i)))) }
        XCTAssertTrue(index.isEmpty)
        XCTAssertTrue(index.chunks.isEmpty)
        XCTAssertEqual(index.startIndex, index.endIndex)
        XCTAssertEqual(index.lowerBound(key("ns", "a")), index.endIndex)
        XCTAssertEqual(index.upperBound(namespace: "ns"), index.endIndex)
        XCTAssertTrue(index.put(object("ns", "again")))
        XCTAssertEqual(names(index), ["ns/again"])
    }

    func testSparseChunksMergeAfterDeletions() {
        var index = SortedObjectIndex()
        for i in 0..<(SortedObjectIndex.maxChunk * 8) { index.put(object("ns", padded(i))) }
        let before = index.chunks.count
        for i in 0..<(SortedObjectIndex.maxChunk * 8) where i % 16 != 0 { index.remove(key("ns", padded(i))) }
        assertWellFormed(index)
        XCTAssertLessThan(index.chunks.count, before / 2)
    }

    func testNamespaceRangesAndFromKeysAcrossChunkBoundaries() {
        var bucket = ResourceBucket()
        let namespaces = ["a", "b", "c"]
        for ns in namespaces { for i in 0..<700 { bucket.put(object(ns, padded(i))) } }
        XCTAssertGreaterThan(bucket.ordered.chunks.count, 6)
        let ordered = bucket.ordered
        for ns in namespaces {
            let range = bucket.range(namespace: ns, from: nil)
            XCTAssertEqual(names(ordered[range]), (0..<700).map { "\(ns)/\(padded($0))" })
            XCTAssertEqual(ordered.distance(from: range.lowerBound, to: range.upperBound), 700)
        }
        // Every from-key, including those on each chunk's first and last position.
        for from in [0, 1, 127, 128, 129, 255, 256, 257, 511, 512, 699] {
            let range = bucket.range(namespace: "b", from: key("b", padded(from)))
            XCTAssertEqual(names(ordered[range]), (from..<700).map { "b/\(padded($0))" }, "from \(from)")
            XCTAssertEqual(ordered.distance(from: range.lowerBound, to: range.upperBound), 700 - from)
        }
        XCTAssertTrue(bucket.range(namespace: "b", from: key("c", "")).isEmpty)
        XCTAssertTrue(bucket.range(namespace: "bb", from: nil).isEmpty)
        XCTAssertTrue(bucket.range(namespace: "z", from: nil).isEmpty)
        XCTAssertEqual(ordered.distance(from: bucket.range(namespace: nil, from: key("b", padded(10))).lowerBound, to: ordered.endIndex), 1390)
    }

    func testOffsetsAndDistancesAgreeWithWalking() {
        var index = SortedObjectIndex()
        for i in 0..<2000 { index.put(object("ns", padded((i * 7919) % 2000))) }
        var walked = index.startIndex
        for step in 0...2000 {
            XCTAssertEqual(index.index(index.startIndex, offsetBy: step), walked, "step \(step)")
            XCTAssertEqual(index.distance(from: index.startIndex, to: walked), step)
            XCTAssertEqual(index.distance(from: walked, to: index.startIndex), -step)
            if walked != index.endIndex { walked = index.index(after: walked) }
        }
        XCTAssertEqual(index.index(before: index.endIndex), index.lowerBound(key("ns", padded(1999))))
    }

    func testRandomOperationsMatchASortedArray() {
        var generator = SplitMix64(seed: 7)
        var index = SortedObjectIndex()
        var reference: [StorageKey: Int64] = [:]
        for step in 0..<20_000 {
            let ns = ["a", "b", "c"][Int(generator.next() % 3)]
            let k = key(ns, "n\(generator.next() % 3000)")
            if generator.next() % 3 == 0 {
                XCTAssertEqual(index.remove(k), reference.removeValue(forKey: k) != nil)
            } else {
                XCTAssertEqual(index.put(object(ns, k.name, revision: Int64(step))), reference[k] == nil)
                reference[k] = Int64(step)
            }
            if step % 2000 == 0 { assertWellFormed(index) }
        }
        assertWellFormed(index)
        let sorted = reference.keys.sorted { SortedObjects.precedes($0, $1) }
        XCTAssertEqual(index.map(\.key), sorted)
        XCTAssertEqual(index.map(\.revision), sorted.map { reference[$0]! })
        var bucket = ResourceBucket()
        for object in index { bucket.put(object) }
        for ns in ["a", "b", "c"] {
            let from = key(ns, "n15")
            let expected = sorted.filter { $0.namespace == ns && !SortedObjects.precedes($0, from) }
            XCTAssertEqual(bucket.ordered[bucket.range(namespace: ns, from: from)].map(\.key), expected)
        }
    }
}

