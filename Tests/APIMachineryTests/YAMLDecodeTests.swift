import Foundation
import XCTest
@testable import APIMachinery

final class YAMLDecodeTests: XCTestCase {
    func decode(_ text: String) throws -> JSON { try YAMLCodec.decode(Array(text.utf8)).value }

    func error(_ text: String) -> APIError? {
        do { _ = try YAMLCodec.decode(Array(text.utf8)); return nil } catch { return error }
    }

    func testSeedManifests() throws {
        let sts = try decode(String(contentsOfFile: "/work/shared/seed/redis-sts.yml", encoding: .utf8))
        XCTAssertEqual(sts["kind"], "StatefulSet")
        XCTAssertEqual(sts[path: "spec", "replicas"], .int(2))
        XCTAssertEqual(sts[path: "spec", "template", "spec", "containers"]?.arrayValue?.first?["ports"],
                       [["containerPort": 6379]])
        for file in ["redis-svc.yml", "redis-headless-svc.yml", "redis-pv-sts.yml"] {
            let value = try decode(String(contentsOfFile: "/work/shared/seed/\(file)", encoding: .utf8))
            XCTAssertNotNil(value[path: "metadata", "name"]?.stringValue, file)
        }
        let headless = try decode(String(contentsOfFile: "/work/shared/seed/redis-headless-svc.yml", encoding: .utf8))
        XCTAssertEqual(headless[path: "spec", "clusterIP"], "None")
    }

    func testYAML11Scalars() throws {
        let value = try decode("""
            a: yes
            b: on
            c: Off
            d: y
            e: 0777
            f: 1e3
            g: ~
            h: "true"
            i: '1'
            j: 0x1F
            k: 1.5
            l: 2.0
            m: 1_000
            nn: .5
            o: 2024-01-02
            p: -12
            q: null
            r: 08
            s: 1:20
            t:
            u: !!str 123
            v: !!float 3
            w: 12345678901234567890
            x: +7
            """)
        XCTAssertEqual(value["a"], true); XCTAssertEqual(value["b"], true); XCTAssertEqual(value["c"], false)
        XCTAssertEqual(value["d"], true)
        XCTAssertEqual(value["e"], .int(511))
        XCTAssertEqual(value["f"], .int(1000))
        XCTAssertEqual(value["g"], .null); XCTAssertEqual(value["q"], .null); XCTAssertEqual(value["t"], .null)
        XCTAssertEqual(value["h"], "true"); XCTAssertEqual(value["i"], "1")
        XCTAssertEqual(value["j"], .int(31))
        XCTAssertEqual(value["k"], .double(1.5))
        XCTAssertEqual(value["l"], .int(2))
        XCTAssertEqual(value["m"], .int(1000))
        XCTAssertEqual(value["nn"], .double(0.5))
        XCTAssertEqual(value["o"], "2024-01-02")
        XCTAssertEqual(value["p"], .int(-12))
        XCTAssertEqual(value["r"], .int(8))
        XCTAssertEqual(value["s"], "1:20")
        XCTAssertEqual(value["u"], "123")
        XCTAssertEqual(value["v"], .int(3))
        XCTAssertEqual(value["w"], .double(12345678901234567890))
        XCTAssertEqual(value["x"], .int(7))
        XCTAssertEqual(try decode("n: 1")["false"], .int(1), "a key `n` is the boolean false in YAML 1.1")
    }

    func testKeysBecomeJSONStrings() throws {
        let value = try decode("1: a\ntrue: b\non: c\n1.5: d\n")
        XCTAssertEqual(value.objectValue?.keys.sorted(), ["1", "1.5", "true"])
        XCTAssertEqual(value["true"], "c")
    }

    func testBlockScalarsAnchorsAndMerge() throws {
        let value = try decode("""
            base: &base
              image: redis
              port: 6379
            literal: |
              line one
              line two
            folded: >-
              a
              b
            derived:
              <<: *base
              port: 7000
            list: [*base, {x: 1}]
            """)
        XCTAssertEqual(value["literal"], "line one\nline two\n")
        XCTAssertEqual(value["folded"], "a b")
        XCTAssertEqual(value["derived"], ["image": "redis", "port": 7000])
        XCTAssertEqual(value["list"], [["image": "redis", "port": 6379], ["x": 1]])
    }

    func testDuplicateKeysLastWinsAndStrictMessage() throws {
        let text = """
            apiVersion: apps/v1
            kind: StatefulSet
            spec:
              replicas: 1
              replicas: 3
              template:
                spec:
                  containers:
                  - name: a
                    name: b
            """
        let result = try YAMLCodec.decode(Array(text.utf8))
        XCTAssertEqual(result.value[path: "spec", "replicas"], .int(3))
        XCTAssertEqual(result.duplicateFields, ["spec.replicas", "spec.template.spec.containers[0].name"])
        XCTAssertEqual(result.strictErrorMessage, """
            yaml: unmarshal errors:
              line 5: key "replicas" already set in map
              line 10: key "name" already set in map
            """)
        XCTAssertNil(try YAMLCodec.decode(Array("a: 1\nb: 2\n".utf8)).strictErrorMessage)
    }

    func testSyntaxErrors() {
        let mapping = error("a: b\nc: d: e\n")
        XCTAssertEqual(mapping?.code, 400)
        XCTAssertEqual(mapping?.reason, "BadRequest")
        XCTAssertEqual(mapping?.message, "yaml: line 2: mapping values are not allowed in this context")
        XCTAssertEqual(error("a:\n\t- b\n")?.message, "yaml: line 2: found character that cannot start any token")
        XCTAssertEqual(error("a: [1, 2\n")?.code, 400)
        XCTAssertEqual(error("a: *nowhere\n")?.message, "yaml: unknown anchor 'nowhere' referenced")
        XCTAssertEqual(error("a: .nan\n")?.message, "json: unsupported value: NaN")
        XCTAssertEqual(error("a: !!int abc\n")?.message, "yaml: cannot decode !!str `abc` as a !!int")
        XCTAssertEqual(error("<<: 1\n")?.message, "yaml: map merge requires map or sequence of maps as the value")
    }

    func testDeepFlowNestingIsRejectedWithoutOverflow() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let failure = error(deep)
        XCTAssertEqual(failure?.code, 400)
        XCTAssertEqual(failure?.message, "yaml: exceeded max depth of 10000")
        let block = String(repeating: "- ", count: 100_000) + "x\n"
        XCTAssertEqual(error(block)?.code, 400)
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        XCTAssertNoThrow(try decode(ok))
    }

    func testBillionLaughsIsRejected() {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        XCTAssertEqual(error(text)?.message, "yaml: document contains excessive aliasing")
    }

    func testEmptyAndMultiDocument() throws {
        XCTAssertEqual(try decode(""), .null)
        XCTAssertEqual(try decode("---\n"), .null)
        let stream = "a: 1\n---\nb: 2\n---\n- x\n"
        XCTAssertEqual(try decode(stream), ["a": 1])
        XCTAssertEqual(try YAMLCodec.decodeAll(Array(stream.utf8)).map(\.value), [["a": 1], ["b": 2], ["x"]])
    }
}
