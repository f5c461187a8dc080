import APIMachinery
@testable import APIServer
import Storage
import XCTest

/// Reads with no decoded tree kept: a GET as JSON answers with the stored bytes and decodes nothing;
/// a GET as Table or YAML decodes what it needs; both answer what they answered with every tree kept.
final class DecodedObjectReadsTests: XCTestCase {
    override func tearDown() { DecodedTreeCache.shared.setBudget(DecodedTreeCache.defaultBudget) }

    func testAJSONGetServesTheStoredBytesWithoutDecoding() throws {
        let api = try InProcessAPI()
        let created = api.call("POST", "/api/v1/namespaces/default/configmaps", body: InProcessAPI.configMap("a"))
        XCTAssertEqual(created.status, 201, created.text)
        DecodedTreeCache.shared.setBudget(0)
        // Any write admits its tree and, over a zero budget, evicts the others: the ConfigMap's among them.
        _ = api.call("POST", "/api/v1/namespaces/default/configmaps", body: InProcessAPI.configMap("b"))
        let built = DecodedTreeCache.shared.builtCount
        let got = api.call("GET", "/api/v1/namespaces/default/configmaps/a")
        XCTAssertEqual(got.status, 200)
        XCTAssertEqual(got.json, created.json)
        XCTAssertEqual(DecodedTreeCache.shared.builtCount, built, "served from its bytes")

        let yaml = api.call("GET", "/api/v1/namespaces/default/configmaps/a", accept: "application/yaml")
        XCTAssertEqual(yaml.status, 200)
        XCTAssertTrue(yaml.text.contains("name: a"), yaml.text)
    }

    func testTheAPIVersionPrefixDecidesWhetherBytesAreServedAsTheyAre() {
        XCTAssertTrue(ObjectWriter.startsWithAPIVersion(Array(#"{"apiVersion":"v1","kind":"Pod"}"#.utf8), "v1"))
        XCTAssertTrue(ObjectWriter.startsWithAPIVersion(Array(#"{"apiVersion":"apps/v1","kind":"Deployment"}"#.utf8), "apps/v1"))
        XCTAssertFalse(ObjectWriter.startsWithAPIVersion(Array(#"{"apiVersion":"v1beta1","kind":"X"}"#.utf8), "v1"))
        XCTAssertFalse(ObjectWriter.startsWithAPIVersion(Array(#"{"apiVersion":"v1"}"#.utf8), "v1"))
        XCTAssertFalse(ObjectWriter.startsWithAPIVersion(Array(#"{"kind":"Pod","apiVersion":"v1"}"#.utf8), "v1"))
        XCTAssertFalse(ObjectWriter.startsWithAPIVersion([], "v1"))
    }
}
