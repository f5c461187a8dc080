import XCTest
@testable import APIMachinery

final class APIErrorReasonsTests: XCTestCase {
    let pods = GroupResource(group: "", resource: "pods")

    func testPredicatesFollowUpstreamReasons() {
        XCTAssertTrue(APIError.notFound(pods, "p").isNotFound)
        XCTAssertTrue(APIError.alreadyExists(pods, "p").isAlreadyExists)
        XCTAssertFalse(APIError.alreadyExists(pods, "p").isConflict, "AlreadyExists is a 409 but not a conflict to retry")
        XCTAssertTrue(APIError.conflict(pods, "p", APIError.modifiedSinceRead).isConflict)
        XCTAssertFalse(APIError.conflict(pods, "p", "x").isAlreadyExists)
        XCTAssertTrue(APIError.invalid(GroupKind(group: "", kind: "Pod"), "p", []).isInvalid)
        XCTAssertTrue(APIError.forbidden(pods, "p", "no").isForbidden)
        XCTAssertTrue(APIError(code: 410, reason: "Expired", message: "too old").isGone)
    }

    func testPredicatesOnAnyError() {
        struct Other: Error {}
        let conflict: any Error = APIError.conflict(pods, "p", "x")
        XCTAssertTrue(conflict.isConflict)
        XCTAssertFalse(conflict.isNotFound)
        XCTAssertFalse(Other().isConflict)
        XCTAssertFalse(Other().isNotFound)
    }
}
