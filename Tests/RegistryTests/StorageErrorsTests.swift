import APIMachinery
@testable import Registry
import Storage
import XCTest

/// The one translation of storage failures into API errors: reasons, codes and texts as upstream's.
final class StorageErrorsTests: XCTestCase {
    let pods = GroupResource(group: "", resource: "pods")
    let key = StorageKey(resource: "pods", namespace: "default", name: "web-0")

    func interpret(_ error: StorageError) -> APIError {
        StorageErrors.interpret(error, during: .object(pods, name: "web-0"))
    }

    func testObjectFailures() {
        XCTAssertEqual(interpret(.alreadyExists(key)).code, 409)
        XCTAssertEqual(interpret(.alreadyExists(key)).reason, "AlreadyExists")
        XCTAssertEqual(interpret(.notFound(key)).code, 404)
        XCTAssertEqual(interpret(.notFound(key)).message, #"pods "web-0" not found"#)
        let conflict = interpret(.conflict(key, currentRevision: 7))
        XCTAssertEqual(conflict.code, 409)
        XCTAssertEqual(conflict.message, "Operation cannot be fulfilled on pods \"web-0\": \(APIError.modifiedSinceRead)")
        let gone = interpret(.compacted(requested: 3, oldest: 9))
        XCTAssertEqual(gone.code, 410)
        XCTAssertEqual(gone.message, "too old resource version: 3 (9)")
        let unavailable = interpret(.unavailable("disk full"))
        XCTAssertEqual(unavailable.code, 500)
        XCTAssertEqual(unavailable.message, "Internal error occurred: disk full")
    }

    func testListAtACompactedRevision() {
        for point in [ReadPoint.newest, .exact(4), .notOlderThan(4)] {
            let error = StorageErrors.interpret(.compacted(requested: 4, oldest: 9), during: .list(point))
            XCTAssertEqual(error.code, 410)
            XCTAssertEqual(error.reason, "Expired")
            XCTAssertEqual(error.message, "The resourceVersion for the provided list is too old.")
            XCTAssertNil(error.continueToken)
        }
    }

    func testContinueAtACompactedRevisionHandsOutAFreshToken() throws {
        let token = ContinueToken(revision: 4, start: "web-3\u{0}")
        let error = StorageErrors.interpret(.compacted(requested: 4, oldest: 9), during: .list(.continuing(token)))
        XCTAssertEqual(error.code, 410)
        XCTAssertTrue(error.message.hasPrefix("The provided continue parameter is too old to display a consistent list result."))
        let fresh = try ContinueToken.decode(XCTUnwrap(error.continueToken))
        XCTAssertEqual(fresh, ContinueToken(revision: -1, start: "web-3\u{0}"))
    }

    /// kube-apiserver with etcd: no member reachable is its request deadline's 504 Timeout; an error
    /// etcd answered is not a Status, so a 500 without a reason and with etcd's text.
    func testEtcdFailuresAsKubeAPIServerAnswersThem() {
        for error in [interpret(.unreachable("dial tcp 127.0.0.1:2379: connection refused")),
                      StorageErrors.interpret(.unreachable("refused"), during: .list(.newest))] {
            XCTAssertEqual(error.code, 504)
            XCTAssertEqual(error.reason, "Timeout")
            XCTAssertEqual(error.message, "Timeout: request did not complete within requested timeout - context deadline exceeded")
            XCTAssertEqual(error.status["reason"], "Timeout")
            XCTAssertEqual(error.status["code"]?.intValue, 504)
        }
        for error in [interpret(.backendFailure("etcdserver: request timed out")),
                      StorageErrors.interpret(.backendFailure("etcdserver: request timed out"), during: .list(.newest))] {
            XCTAssertEqual(error.code, 500)
            XCTAssertEqual(error.message, "etcdserver: request timed out")
            XCTAssertNil(error.status["reason"], "upstream's StatusReasonUnknown is empty and left out")
            XCTAssertNil(error.status["details"])
        }
    }

    func testListUnavailable() {
        let error = StorageErrors.interpret(.unavailable("closed"), during: .list(.newest))
        XCTAssertEqual(error.code, 500)
        XCTAssertEqual(error.message, "Internal error occurred: closed")
    }
}
