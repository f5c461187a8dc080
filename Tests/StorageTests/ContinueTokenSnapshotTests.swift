import APIMachinery
import Storage
import XCTest

/// Continue tokens carry a snapshot's revision; they are encoded byte for byte as upstream's.
final class ContinueTokenSnapshotTests: XCTestCase {
    func testEncodingMatchesUpstream() {
        let key = StorageKey(resource: "pods", namespace: "default", name: "web-1")
        // base64url of {"v":"meta.k8s.io/v1","rv":42,"start":"default/web-1\u0000"}
        XCTAssertEqual(ContinueToken(revision: 42, after: key, namespace: nil).encoded,
                       "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDIsInN0YXJ0IjoiZGVmYXVsdC93ZWItMVx1MDAwMCJ9")
        XCTAssertEqual(ContinueToken(revision: 42, after: key, namespace: "default").start, "web-1\u{0}")
        XCTAssertEqual(ContinueToken(revision: 7, after: StorageKey(resource: "nodes", namespace: "", name: "n1"), namespace: nil).start, "n1\u{0}")
    }

    func testRoundTripAndStartPositions() throws {
        let token = ContinueToken(revision: 9, start: "default/web-1\u{0}")
        let decoded = try ContinueToken.decode(token.encoded)
        XCTAssertEqual(decoded, token)
        XCTAssertEqual(decoded.from(resource: "pods", namespace: nil, namespaced: true),
                       StorageKey(resource: "pods", namespace: "default", name: "web-1\u{0}"))
        XCTAssertEqual(ContinueToken(revision: 9, start: "web-1\u{0}").from(resource: "pods", namespace: "ns", namespaced: true),
                       StorageKey(resource: "pods", namespace: "ns", name: "web-1\u{0}"))
        XCTAssertEqual(ContinueToken(revision: 9, start: "kube-system").from(resource: "pods", namespace: nil, namespaced: true),
                       StorageKey(resource: "pods", namespace: "kube-system", name: ""))
        XCTAssertEqual(try ContinueToken.decode(ContinueToken(revision: -1, start: "a\u{0}").encoded).revision, -1)
    }

    func testMalformedTokensGiveUpstreamReasons() {
        func message(_ text: String) -> String? {
            do { _ = try ContinueToken.decode(text); return nil } catch { return error.message }
        }
        func encode(_ json: String) -> String {
            Data(json.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        XCTAssertEqual(message("ab!c"), "continue key is not valid: illegal base64 data at input byte 2")
        XCTAssertEqual(message("abcde"), "continue key is not valid: illegal base64 data at input byte 4")
        XCTAssertEqual(message(encode("{")), "continue key is not valid: unexpected end of JSON input")
        XCTAssertEqual(message(encode(#"{"v":"meta.k8s.io/v2","rv":1,"start":"a"}"#)),
                       "continue key is not valid: server does not recognize this encoded version meta.k8s.io/v2")
        XCTAssertEqual(message(encode(#"{"v":"meta.k8s.io/v1","rv":0,"start":"a"}"#)),
                       "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        XCTAssertEqual(message(encode(#"{"v":"meta.k8s.io/v1","rv":3,"start":""}"#)),
                       "continue key is not valid: encoded start key empty (version meta.k8s.io/v1)")
        XCTAssertEqual(message(encode(#"{"v":"meta.k8s.io/v1","rv":3,"start":"../secrets/x"}"#)),
                       "continue key is not valid: ../secrets/x")
        XCTAssertEqual(message(encode(#"{"v":"meta.k8s.io/v1","rv":"3","start":"a"}"#)),
                       "continue key is not valid: json: cannot unmarshal string into Go struct field continueToken.rv of type int64")
    }
}
