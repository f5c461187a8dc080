@testable import APIServer
import Foundation
import XCTest

final class AuditIDTests: XCTestCase {
    func testRandomVersion4UUIDsInLowercase() {
        var seen: Set<String> = []
        for _ in 0..<10_000 {
            let id = AuditID.next()
            XCTAssertNotNil(id.range(of: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression), id)
            XCTAssertNotNil(UUID(uuidString: id), id)
            seen.insert(id)
        }
        XCTAssertEqual(seen.count, 10_000)
    }
}
