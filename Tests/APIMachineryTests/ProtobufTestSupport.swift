import XCTest
@testable import APIMachinery

/// Builds protobuf wire bytes field by field, for bodies kubectl does not send (times,
/// quantities, probes, raw extensions) and for malformed ones.
struct ProtobufBytes {
    var bytes: [UInt8] = []

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        return out
    }

    static func key(_ field: Int, _ wireType: Int) -> [UInt8] { varint(UInt64(field << 3 | wireType)) }

    func varint(_ field: Int, _ value: Int64) -> ProtobufBytes {
        ProtobufBytes(bytes: bytes + Self.key(field, 0) + Self.varint(UInt64(bitPattern: value)))
    }

    func bytes(_ field: Int, _ payload: [UInt8]) -> ProtobufBytes {
        ProtobufBytes(bytes: bytes + Self.key(field, 2) + Self.varint(UInt64(payload.count)) + payload)
    }

    func string(_ field: Int, _ text: String) -> ProtobufBytes { bytes(field, Array(text.utf8)) }

    func message(_ field: Int, _ message: ProtobufBytes) -> ProtobufBytes { bytes(field, message.bytes) }

    func raw(_ extra: [UInt8]) -> ProtobufBytes { ProtobufBytes(bytes: bytes + extra) }

    /// A map entry {1 key, 2 value} for a `map<string, string>` field.
    func entry(_ field: Int, _ key: String, _ value: String) -> ProtobufBytes {
        message(field, ProtobufBytes().string(1, key).string(2, value))
    }

    /// The `k8s\0` + runtime.Unknown envelope around an object's message.
    static func envelope(apiVersion: String, kind: String, _ object: ProtobufBytes?) -> [UInt8] {
        var unknown = ProtobufBytes().message(1, ProtobufBytes().string(1, apiVersion).string(2, kind))
        if let object { unknown = unknown.message(2, object) }
        return KubernetesProtobuf.prefix + unknown.string(3, "").string(4, "").bytes
    }
}

extension XCTestCase {
    /// Decodes and compares with `expected` (JSON text), key order included.
    func assertDecodes(_ body: [UInt8], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let decoded = try KubernetesProtobuf.decode(body)
            let wanted = try JSONParser.parse(expected).value
            XCTAssertEqual(decoded, wanted, JSONWriter.encodeString(decoded), file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    /// Expects a 400 BadRequest whose message is `message`.
    func assertBadRequest(_ body: [UInt8], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let decoded = try KubernetesProtobuf.decode(body)
            XCTFail("decoded \(JSONWriter.encodeString(decoded))", file: file, line: line)
        } catch {
            XCTAssertEqual(error.code, 400, file: file, line: line)
            XCTAssertEqual(error.reason, "BadRequest", file: file, line: line)
            XCTAssertEqual(error.message, message, file: file, line: line)
        }
    }
}
