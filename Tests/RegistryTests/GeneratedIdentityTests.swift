import Foundation
@testable import Registry
import XCTest

/// UIDs and generated names are made by hand (Foundation's UUID was too slow for the create path),
/// so their shape is checked here: RFC 4122 version-4 UIDs, upstream's generateName suffixes.
final class GeneratedIdentityTests: XCTestCase {
    func testUIDsAreLowercaseVersion4AndDistinct() throws {
        let shape = try NSRegularExpression(pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        var seen = Set<String>()
        for _ in 0..<2_000 {
            let uid = UIDGenerator.generate()
            XCTAssertEqual(shape.numberOfMatches(in: uid, range: NSRange(uid.startIndex..., in: uid)), 1, uid)
            XCTAssertNotNil(UUID(uuidString: uid), uid)
            seen.insert(uid)
        }
        XCTAssertEqual(seen.count, 2_000)
    }

    func testGeneratedNamesAddFiveCharactersOfUpstreamsAlphabet() {
        var suffixes = Set<String>()
        for _ in 0..<500 {
            let name = NameGenerator.generate(base: "web-")
            XCTAssertTrue(name.hasPrefix("web-"))
            let suffix = name.dropFirst(4)
            XCTAssertEqual(suffix.count, 5)
            XCTAssertTrue(suffix.allSatisfy { NameGenerator.alphabet.contains($0) }, name)
            suffixes.insert(String(suffix))
        }
        XCTAssertGreaterThan(suffixes.count, 490, "suffixes repeat far more often than 27^5 choices allow")
        XCTAssertEqual(NameGenerator.generate(base: String(repeating: "a", count: 70)).count, 63, "the base is cut to 58")
    }
}
