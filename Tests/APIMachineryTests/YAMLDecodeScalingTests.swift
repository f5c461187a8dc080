import Foundation
import XCTest
@testable import APIMachinery

/// YAML bodies must decode in time linear in their size, as JSON does: a 3 MiB body (the request
/// limit) is a fraction of a second, not minutes of a serving thread.
final class YAMLDecodeScalingTests: XCTestCase {
    /// A list of small mappings (`items`) and one wide mapping (`data`), about `bytes` long.
    static func document(bytes: Int) -> [UInt8] {
        var text = "apiVersion: v1\nkind: List\nitems:\n"
        var i = 0
        while text.utf8.count < bytes / 2 {
            text += "- name: item-\(i)\n  value: \"v\(i)\"\n  ports: [80, 443]\n"
            i += 1
        }
        text += "data:\n"
        while text.utf8.count < bytes {
            text += "  key-\(i): value-\(i)\n"
            i += 1
        }
        return Array(text.utf8)
    }

    static func secondsToDecode(_ bytes: [UInt8]) throws -> Double {
        let start = ContinuousClock.now
        let decoded = try YAMLCodec.decode(bytes).value
        XCTAssertNotNil(decoded["items"]?.arrayValue?.first)
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    func testLargeListsDecodeInLinearTime() throws {
        // Quadratic decoding took 0.2 s for 100 KB and 2.9 s for 400 KB here (debug build), so 800 KB
        // would take about 12 s; linear decoding does it in about 0.3 s. The bound leaves room for a
        // busy machine without letting quadratic growth through.
        let seconds = try Self.secondsToDecode(Self.document(bytes: 800_000))
        XCTAssertLessThan(seconds, 4, "800 KB of YAML took \(seconds) s")
    }

    func testABodyAtTheRequestLimitDecodesInSeconds() throws {
        // About 2 s in a debug build (0.x s in release) on an idle machine; quadratic decoding took hours.
        let body = Self.document(bytes: 3 * 1024 * 1024)
        let seconds = try Self.secondsToDecode(body)
        print("YAML decode of \(body.count) bytes: \(seconds) s")
        XCTAssertLessThan(seconds, 30, "3 MiB of YAML took \(seconds) s")
    }

    func testAnAliasedLargeValueStaysWithinTheAliasBudget() throws {
        // go-yaml counts an alias as every node it expands to: 2,000 aliases of a 1,000-node list is
        // 2 million nodes from a 10 KB body, beyond the ratio it allows, and refused as billion laughs is.
        var text = "base: &b [" + (0..<1_000).map(String.init).joined(separator: ",") + "]\nrefs:\n"
        text += String(repeating: "- *b\n", count: 2_000)
        XCTAssertThrowsError(try YAMLCodec.decode(Array(text.utf8))) { error in
            XCTAssertEqual((error as? APIError)?.code, 400)
            XCTAssertEqual((error as? APIError)?.message, "yaml: document contains excessive aliasing")
        }
    }
}
