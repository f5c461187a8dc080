import XCTest
final class RegistryTestsPlaceholder: XCTestCase { func testNothing() {} }
