import XCTest
final class APIMachineryTestsPlaceholder: XCTestCase { func testNothing() {} }
