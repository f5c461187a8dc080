import XCTest
@testable import APIMachinery

/// Every malformed body is a 400 BadRequest Status, never a crash.
final class ProtobufMalformedTests: XCTestCase {
    private let prefix = KubernetesProtobuf.prefix
    private let meta = ProtobufBytes().string(1, "x")

    private func configMap(_ object: ProtobufBytes) -> [UInt8] {
        ProtobufBytes.envelope(apiVersion: "v1", kind: "ConfigMap", object)
    }

    private func cannotHandle(_ message: String) -> String {
        #"ConfigMap in version "v1" cannot be handled as a ConfigMap: "# + message
    }

    func testEnvelopeErrors() {
        assertBadRequest([], "the object provided is unrecognized: empty data (<empty>)")
        assertBadRequest(Array(#"{"kind":"ConfigMap"}"#.utf8),
                         "the object provided is unrecognized: provided data does not appear to be a protobuf message, "
                         + "expected prefix [107 56 115 0] (7b226b696e64223a22436f6e6669674d6170227d)")
        assertBadRequest(prefix, "the object provided is unrecognized: empty body (6b387300)")
        assertBadRequest(prefix + [0x0A, 0x05, 0x0A], "the object provided is unrecognized: unexpected EOF (6b3873000a050a)")
        assertBadRequest(prefix + [0x80], "the object provided is unrecognized: unexpected EOF (6b38730080)")
        assertBadRequest(prefix + Array(repeating: 0xFF, count: 10) + [0x01],
                         "the object provided is unrecognized: proto: integer overflow (6b387300ffffffffffffffffffff01)")
        assertBadRequest(prefix + [0x12] + Array(repeating: 0xFF, count: 9) + [0x01],
                         "the object provided is unrecognized: proto: negative length found during unmarshaling (6b38730012ffffffffffffffffff01)")
        assertBadRequest(prefix + [0x08, 0x01], "the object provided is unrecognized: proto: wrong wireType = 0 for field TypeMeta (6b3873000801)")
        assertBadRequest(prefix + [0x00], "the object provided is unrecognized: proto: Unknown: illegal tag 0 (wire type 0) (6b38730000)")
    }

    func testMissingOrUnknownTypeIsRefused() {
        let missingKind = ProtobufBytes.envelope(apiVersion: "v1", kind: "", meta)
        let summary = missingKind.prefix(30).map { String(format: "%02x", $0) }.joined()
        assertBadRequest(missingKind, #"the object provided is unrecognized: Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:"v1", Kind:""}' ("#
                         + summary + ")")
        assertBadRequest(ProtobufBytes.envelope(apiVersion: "v1", kind: "Widget", meta),
                         #"Widget in version "v1" cannot be handled as a Widget: no kind "Widget" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30""#)
        XCTAssertThrowsError(try KubernetesProtobuf.decode(ProtobufBytes.envelope(apiVersion: "", kind: "ConfigMap", meta))) { error in
            XCTAssertEqual((error as? APIError)?.code, 400)
            XCTAssertTrue((error as? APIError)?.message.contains("Object 'apiVersion' is missing") == true)
        }
    }

    func testWireErrorsInsideTheObject() {
        assertBadRequest(configMap(ProtobufBytes().varint(1, 1)), cannotHandle("proto: wrong wireType = 0 for field Metadata"))
        assertBadRequest(configMap(ProtobufBytes().message(1, ProtobufBytes().varint(1, 1))),
                         cannotHandle("proto: wrong wireType = 0 for field Name"))
        assertBadRequest(configMap(ProtobufBytes().string(4, "yes")), cannotHandle("proto: wrong wireType = 2 for field Immutable"))
        assertBadRequest(configMap(ProtobufBytes().raw(ProtobufBytes.key(5, 4))), cannotHandle("proto: ConfigMap: wiretype end group for non-group"))
        assertBadRequest(configMap(ProtobufBytes().raw([0x00])), cannotHandle("proto: ConfigMap: illegal tag 0 (wire type 0)"))
        assertBadRequest(configMap(ProtobufBytes().raw(ProtobufBytes.key(9, 7))), cannotHandle("proto: illegal wireType 7"))
        assertBadRequest(configMap(ProtobufBytes().raw(ProtobufBytes.key(9, 1) + [1, 2])), cannotHandle("unexpected EOF"))
        assertBadRequest(configMap(ProtobufBytes().raw([0x0A, 0x10, 0x0A])), cannotHandle("unexpected EOF"))
        assertBadRequest(configMap(ProtobufBytes().message(1, ProtobufBytes().raw([0x0A, 0x05]))), cannotHandle("unexpected EOF"))
        assertBadRequest(configMap(ProtobufBytes().message(2, ProtobufBytes().varint(1, 3))), cannotHandle("proto: wrong wireType = 0 for field Data"))
    }

    func testGroupsMustBalance() {
        let open = (0..<20_000).flatMap { _ in ProtobufBytes.key(9, 3) }
        assertBadRequest(configMap(ProtobufBytes().raw(open)), cannotHandle("unexpected EOF"))
        assertBadRequest(configMap(ProtobufBytes().raw(ProtobufBytes.key(9, 3) + ProtobufBytes.key(9, 4) + ProtobufBytes.key(9, 4))),
                         cannotHandle("proto: ConfigMap: wiretype end group for non-group"))
        let balanced = open + (0..<20_000).flatMap { _ in ProtobufBytes.key(9, 4) }
        assertDecodes(configMap(ProtobufBytes().raw(balanced).message(1, meta)), #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"}}"#)
    }

    func testValuesJSONCannotCarry() {
        let revision = { (raw: String) in
            ProtobufBytes.envelope(apiVersion: "apps/v1", kind: "ControllerRevision",
                                   ProtobufBytes().message(2, ProtobufBytes().string(1, raw)))
        }
        XCTAssertThrowsError(try KubernetesProtobuf.decode(revision("{not json"))) { error in
            XCTAssertEqual((error as? APIError)?.code, 400)
        }
        // Parsed on a large stack, as the server's request threads are (see JSONParserTests).
        let deep = revision(String(repeating: "[", count: 10_001) + String(repeating: "]", count: 10_001))
        let code = OnLargeStack.run { () -> Int? in
            do { _ = try KubernetesProtobuf.decode(deep) } catch { return (error as? APIError)?.code }
            return nil
        }
        XCTAssertEqual(code, 400)
        let port = ProtobufBytes().varint(3, 80).message(4, ProtobufBytes().varint(1, 2))
        let service = ProtobufBytes().message(2, ProtobufBytes().message(1, port))
        assertBadRequest(ProtobufBytes.envelope(apiVersion: "v1", kind: "Service", service),
                         #"Service in version "v1" cannot be handled as a Service: impossible IntOrString.Type"#)
        let farFuture = ProtobufBytes().message(1, meta.message(8, ProtobufBytes().varint(1, 253_402_300_800)))
        assertBadRequest(configMap(farFuture), cannotHandle("Time.MarshalJSON: year outside of range [0,9999]"))
    }

    /// The layouts are acyclic, so depth is bounded by the schema; a cyclic layout still stops.
    func testDepthIsBounded() {
        let loop = ProtobufMessageLayout(definition: "test.Loop", fields: [
            ProtobufField(number: 1, jsonName: "next", kind: .message("test.Loop"), repeated: false, pointer: true, keepsZero: false),
        ])
        var body = ProtobufBytes()
        for _ in 0..<100 { body = ProtobufBytes().message(1, body) }
        var decoder = ProtobufMessageDecoder(layouts: ["test.Loop": loop], bytes: body.bytes)
        XCTAssertThrowsError(try decoder.object("test.Loop", [body.bytes.indices])) { error in
            XCTAssertEqual(error as? ProtobufDecodingError, .maxDepth)
        }
    }

    func testTruncatedCapturedBodiesNeverCrash() throws {
        for fixture in ProtobufKubectlBodyTests.fixtures {
            let body = Array(try XCTUnwrap(Data(base64Encoded: fixture.body)))
            for length in stride(from: 0, to: body.count, by: 1) {
                do {
                    _ = try KubernetesProtobuf.decode(Array(body.prefix(length)))
                } catch {
                    XCTAssertEqual(error.code, 400, "\(fixture.name) cut at \(length)")
                }
            }
        }
    }
}
