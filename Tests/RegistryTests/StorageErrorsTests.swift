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

    func testListUnavailable() {
        let error = StorageErrors.interpret(.unavailable("closed"), during: .list(.newest))
        XCTAssertEqual(error.code, 500)
        XCTAssertEqual(error.message, "Internal error occurred: closed")
    }
}
