import Foundation
import XCTest
@testable import Credentials

final class PendingCredentialsTests: XCTestCase {
    func testANewDirectoryGetsItsKeysMadeInTheBackgroundAndKeptAfterwards() throws {
        let directory = NSTemporaryDirectory() + "pending-credentials-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let made = try PendingCredentials(directory: directory) { XCTFail("\($0)") }
        let first = try made.value
        XCTAssertTrue(ClusterCredentials.exist(directory: directory), "written to pki/")
        // The next start reads them: the same key and CA, ready without generating.
        let again = try PendingCredentials(directory: directory) { XCTFail("\($0)") }
        XCTAssertEqual(try again.value.serviceAccountKey.keyID, first.serviceAccountKey.keyID)
        XCTAssertEqual(try again.value.certificateAuthority.certificatePEM, first.certificateAuthority.certificatePEM)
    }

    func testAKeyThatDoesNotParseStopsAtOnce() throws {
        let directory = NSTemporaryDirectory() + "pending-credentials-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try PendingCredentials(directory: directory) { XCTFail("\($0)") }.value
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: directory + "/pki/sa.key"))
        XCTAssertThrowsError(try PendingCredentials(directory: directory) { XCTFail("\($0)") })
    }

    func testInMemoryCredentialsAreMadeOnce() throws {
        let pending = try PendingCredentials(directory: nil) { XCTFail("\($0)") }
        XCTAssertEqual(try pending.value.serviceAccountKey.keyID, try pending.value.serviceAccountKey.keyID)
    }
}
