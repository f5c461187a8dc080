import Foundation
import XCTest
@testable import APIMachinery

final class YAMLEncodeTests: XCTestCase {
    func testLayoutSortingAndQuoting() {
        let object: JSON = [
            "metadata": ["name": "redis-sts", "labels": ["app": "redis-sts"], "annotations": ["a10": "x", "a2": "y"]],
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "spec": ["replicas": 2, "paused": false, "ratio": 1.5, "empty": "", "num": "1", "flag": "true", "nothing": .null,
                     "list": [["containerPort": 6379], "yes"], "none": [], "obj": [:], "colon": "a: b", "star": "*x", "time": "1:20"],
        ]
        XCTAssertEqual(YAMLCodec.encode(object), """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              annotations:
                a2: "y"
                a10: x
              labels:
                app: redis-sts
              name: redis-sts
            spec:
              colon: 'a: b'
              empty: ""
              flag: "true"
              list:
              - containerPort: 6379
              - "yes"
              none: []
              nothing: null
              num: "1"
              obj: {}
              paused: false
              ratio: 1.5
              replicas: 2
              star: '*x'
              time: "1:20"

            """)
    }

    func testMultiLineStringsAreLiteralBlocks() {
        XCTAssertEqual(YAMLCodec.encode(["script": "echo a\necho b\n"]), "script: |\n  echo a\n  echo b\n")
        XCTAssertEqual(YAMLCodec.encode(["script": "echo a\necho b"]), "script: |-\n  echo a\n  echo b\n")
    }

    func testFloatsAsGoFormatsThem() {
        XCTAssertEqual(YAMLFloatFormat.shortestG(1e6, float32: false), "1e+06")
        XCTAssertEqual(YAMLFloatFormat.shortestG(123456.5, float32: false), "123456.5")
        XCTAssertEqual(YAMLFloatFormat.shortestG(0.0001, float32: false), "0.0001")
        XCTAssertEqual(YAMLFloatFormat.shortestG(0.00001, float32: false), "1e-05")
        XCTAssertEqual(YAMLFloatFormat.shortestG(-2.5e-7, float32: false), "-2.5e-07")
    }

    func testKeyOrderIsGoYAMLNatural() {
        let keys = ["b", "a10", "a2", "A", "a_b", "aB", "a"]
        XCTAssertEqual(keys.sorted(by: YAMLKeyOrder.less), ["A", "a", "a_b", "a2", "a10", "aB", "b"])
    }

    func testRoundTripOfSeedManifests() throws {
        for file in ["redis-sts.yml", "redis-svc.yml", "redis-headless-svc.yml", "redis-pv-sts.yml"] {
            let original = try YAMLCodec.decode(Array(try String(contentsOfFile: "/work/shared/seed/\(file)", encoding: .utf8).utf8)).value
            let text = YAMLCodec.encode(original)
            XCTAssertEqual(try YAMLCodec.decode(Array(text.utf8)).value.sortedKeys, original.sortedKeys, file)
        }
    }

    func testRoundTripOfAmbiguousStrings() throws {
        let tricky: [JSON] = ["yes", "no", "on", "off", "y", "n", "~", "null", "", "0777", "1e3", "0x1F", ".5", "1:20", "-", "- a",
                              "#x", "a #b", " lead", "trail ", "{a}", "[a]", "&a", "!x", "%x", "@x", "`x", "'q'", "\"d\"",
                              "multi\nline", "  indented\nnext", "tab\there", "ünïcödé", .string(String(repeating: "word ", count: 40))]
        for value in tricky {
            let text = YAMLCodec.encode(["k": value])
            XCTAssertEqual(try YAMLCodec.decode(Array(text.utf8)).value, ["k": value], text)
        }
    }

    func testDeepValueEncodesWithoutOverflow() {
        var deep: JSON = 1
        for _ in 0..<10_000 { deep = [deep] }
        XCTAssertTrue(YAMLCodec.encode(deep).hasSuffix("1\n"))
    }
}

extension JSON {
    /// The same value with object members in sorted order, for comparing documents regardless of key order.
    var sortedKeys: JSON {
        switch self {
        case .object(let o): return .object(JSONObject(uniqueKeysWithValues: o.keys.sorted().map { ($0, o[$0]!.sortedKeys) }))
        case .array(let a): return .array(a.map(\.sortedKeys))
        default: return self
        }
    }
}
