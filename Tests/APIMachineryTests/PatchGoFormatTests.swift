import XCTest
@testable import APIMachinery

/// The Go-compatibility helpers behind patch error texts and list ordering.
final class PatchGoFormatTests: XCTestCase {
    func testValuesPrintLikeGoFmt() {
        XCTAssertEqual(GoFormat.format(patchJSON(#"{"b":[1,"x",null],"a":{"c":true}}"#)), "map[a:map[c:true] b:[1 x <nil>]]")
        XCTAssertEqual(GoFormat.format("merge", .s), "merge")
        XCTAssertEqual(GoFormat.format(5, .s), "%!s(int64=5)")
        XCTAssertEqual(GoFormat.format(.null, .s), "%!s(<nil>)")
        XCTAssertEqual(GoFormat.typeName(.string("x")), "string")
        XCTAssertEqual(GoFormat.typeName(patchJSON("[]")), "[]interface {}")
    }

    func testFloatsPrintLikeGoPercentV() {
        XCTAssertEqual(GoFormat.float(1.5), "1.5")
        XCTAssertEqual(GoFormat.float(123456), "123456")
        XCTAssertEqual(GoFormat.float(1_000_000), "1e+06")
        XCTAssertEqual(GoFormat.float(1234567), "1.234567e+06")
        XCTAssertEqual(GoFormat.float(0.0001), "0.0001")
        XCTAssertEqual(GoFormat.float(0.00001), "1e-05")
        XCTAssertEqual(GoFormat.float(-2.25), "-2.25")
    }

    /// With an order that is not strict weak (missing items are "less" than anything) the result
    /// is whatever Go's insertion sort produces; worked by hand from sort.SliceStable.
    func testStableSortFollowsGoStepsForUnorderedItems() {
        var items: [(name: String, position: Int?)] = [("A", nil), ("B", 2), ("C", 0), ("D", nil), ("E", 1)]
        GoStableSort.sort(&items) { a, b in
            guard let pa = a.position, let pb = b.position else { return true }
            return pa < pb
        }
        XCTAssertEqual(items.map(\.name), ["D", "C", "E", "B", "A"])
    }

    func testStableSortIsStableAndCorrectOnLongInputs() {
        var state: UInt64 = 42
        var items: [(key: Int, seq: Int)] = (0..<500).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Int(state >> 59), i)
        }
        let expected = items.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element.seq)
        GoStableSort.sort(&items) { $0.key < $1.key }
        XCTAssertEqual(items.map(\.seq), expected)
    }

    func testTreeHelpersAreIterative() {
        var deep: JSON = ["leaf": nil]
        for _ in 0..<5_000 { deep = ["a": [deep]] }
        XCTAssertEqual(JSONTree.depth(deep), 10_001)
        XCTAssertTrue(JSONTree.equal(deep, deep))
        let pruned = JSONTree.pruningNullMembers(deep)
        var cursor = pruned
        for _ in 0..<5_000 { cursor = cursor["a"]!.arrayValue![0] }
        XCTAssertEqual(cursor, .object([:]))
    }
}
