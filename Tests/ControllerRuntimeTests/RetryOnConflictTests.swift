import APIMachinery
@testable import ControllerRuntime
import XCTest

final class RetryOnConflictTests: XCTestCase {
    let conflict = APIError.conflict(GroupResource(group: "", resource: "pods"), "p", APIError.modifiedSinceRead)

    func testDefaultRetryIsClientGos() {
        XCTAssertEqual(Backoff.defaultRetry, Backoff(steps: 5, duration: .milliseconds(10), factor: 1.0, jitter: 0.1))
    }

    func testRetriesConflictsUntilSuccess() throws {
        var attempts = 0
        var waits: [Duration] = []
        let result = try retryOnConflict(sleep: { waits.append($0) }) { () throws(APIError) -> String in
            attempts += 1
            if attempts < 3 { throw conflict }
            return "written"
        }
        XCTAssertEqual(result, "written")
        XCTAssertEqual(attempts, 3)
        XCTAssertEqual(waits.count, 2, "one wait between two attempts")
        for wait in waits { XCTAssertTrue(wait >= .milliseconds(10) && wait <= .milliseconds(11), "\(wait)") }
    }

    /// A write that starts from the informer's copy retries at once against the store's copy; only
    /// later conflicts (other writers) wait as DefaultRetry does.
    func testCachedCopyRetryRunsTheFirstRetryAtOnce() throws {
        var attempts = 0
        var waits: [Duration] = []
        _ = try retryOnConflict(.cachedCopyRetry, sleep: { waits.append($0) }) { () throws(APIError) in
            attempts += 1
            if attempts < 4 { throw conflict }
        }
        XCTAssertEqual(attempts, 4)
        XCTAssertEqual(waits.count, 2, "no wait before the first retry, DefaultRetry's before the later ones")
        for wait in waits { XCTAssertTrue(wait >= .milliseconds(10) && wait <= .milliseconds(11), "\(wait)") }
    }

    func testGivesUpAfterTheStepsWithTheLastConflict() {
        var attempts = 0
        var waits = 0
        XCTAssertThrowsError(try retryOnConflict(sleep: { _ in waits += 1 }) { () throws(APIError) in
            attempts += 1
            throw conflict
        }) { XCTAssertTrue($0.isConflict) }
        XCTAssertEqual(attempts, 5)
        XCTAssertEqual(waits, 4)
    }

    func testOtherErrorsAreNotRetried() {
        var attempts = 0
        XCTAssertThrowsError(try retryOnConflict(sleep: { _ in XCTFail("no wait") }) { () throws(APIError) in
            attempts += 1
            throw APIError.alreadyExists(GroupResource(group: "", resource: "pods"), "p")
        }) { XCTAssertTrue($0.isAlreadyExists) }
        XCTAssertEqual(attempts, 1)
    }

    func testRetryOnErrorUsesThePredicate() throws {
        var attempts = 0
        try retryOnError(sleep: { _ in }, retriable: { $0.isNotFound }) { () throws(APIError) in
            attempts += 1
            if attempts == 1 { throw APIError.notFound(GroupResource(group: "", resource: "nodes"), "n") }
        }
        XCTAssertEqual(attempts, 2)
    }

    func testBackoffGrowsByFactorAndJitter() {
        let backoff = Backoff(steps: 4, duration: .milliseconds(10), factor: 5, jitter: 0.1)
        XCTAssertEqual(backoff.delay(after: 0, random: 0), .milliseconds(10))
        XCTAssertEqual(backoff.delay(after: 2, random: 0), .milliseconds(250))
        XCTAssertEqual(backoff.delay(after: 0, random: 1), .milliseconds(11))
    }
}
