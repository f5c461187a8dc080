import APIMachinery
import XCTest

/// Lists filter with every label selector form and with field selectors; limits count matches.
final class ListSelectorTests: XCTestCase {
    func makeAPI() throws -> InProcessAPI {
        let api = try InProcessAPI()
        try api.seedConfigMap("web-1", namespace: "default", labels: ["app": "web", "tier": "front"])
        try api.seedConfigMap("web-2", namespace: "default", labels: ["app": "web", "tier": "back"])
        try api.seedConfigMap("db-1", namespace: "default", labels: ["app": "db", "tier": "back", "critical": ""])
        try api.seedConfigMap("plain", namespace: "default")
        return api
    }

    func names(_ api: InProcessAPI, _ query: String) -> [String] {
        let response = api.call("GET", "/api/v1/namespaces/default/configmaps?\(query)")
        XCTAssertEqual(response.status, 200, "\(query): \(response.text)")
        return InProcessAPI.names(response)
    }

    func testEveryLabelSelectorForm() throws {
        let api = try makeAPI()
        let cases: [(String, [String])] = [
            ("app%3Dweb", ["web-1", "web-2"]),
            ("app%3D%3Ddb", ["db-1"]),
            ("app!%3Dweb", ["db-1", "plain"]),
            ("app%20in%20(db,web)", ["db-1", "web-1", "web-2"]),
            ("app%20notin%20(web)", ["db-1", "plain"]),
            ("critical", ["db-1"]),
            ("!critical", ["plain", "web-1", "web-2"]),
            ("app%3Dweb,tier%3Dback", ["web-2"]),
            ("app,!critical,tier%20in%20(front)", ["web-1"]),
            ("critical%3D", ["db-1"]),
            // labels.Parse reads `()` as the one empty value: `in ()` selects an empty label, as upstream.
            ("critical%20in%20()", ["db-1"]),
            ("app%20notin%20()", ["db-1", "plain", "web-1", "web-2"]),
            ("", ["db-1", "plain", "web-1", "web-2"]),
        ]
        for (selector, expected) in cases {
            XCTAssertEqual(names(api, "labelSelector=\(selector)"), expected, selector)
        }
    }

    func testFieldSelectors() throws {
        let api = try makeAPI()
        XCTAssertEqual(names(api, "fieldSelector=metadata.name%3Dweb-2"), ["web-2"])
        XCTAssertEqual(names(api, "fieldSelector=metadata.name!%3Dweb-2,metadata.namespace%3D%3Ddefault"), ["db-1", "plain", "web-1"])
        XCTAssertEqual(names(api, "fieldSelector=metadata.namespace%3Dother"), [])
        XCTAssertEqual(names(api, "fieldSelector=metadata.name!%3Dplain&labelSelector=tier%3Dback"), ["db-1", "web-2"])
    }

    func testFilteredPagesCountMatchesAndOmitRemainingItemCount() throws {
        let api = try makeAPI()
        let first = api.call("GET", "/api/v1/namespaces/default/configmaps?limit=1&labelSelector=app")
        XCTAssertEqual(InProcessAPI.names(first), ["db-1"])
        XCTAssertNil(first.json[path: "metadata", "remainingItemCount"])
        var seen = InProcessAPI.names(first)
        var token = first.json[path: "metadata", "continue"]?.stringValue
        while let next = token {
            let page = api.call("GET", "/api/v1/namespaces/default/configmaps?limit=1&labelSelector=app&continue=\(next)")
            XCTAssertLessThanOrEqual(InProcessAPI.names(page).count, 1)
            XCTAssertNil(page.json[path: "metadata", "remainingItemCount"])
            seen += InProcessAPI.names(page)
            token = page.json[path: "metadata", "continue"]?.stringValue
        }
        XCTAssertEqual(seen, ["db-1", "web-1", "web-2"])
        let two = api.call("GET", "/api/v1/namespaces/default/configmaps?limit=2&fieldSelector=metadata.name!%3Ddb-1")
        XCTAssertEqual(InProcessAPI.names(two), ["plain", "web-1"])
        XCTAssertNotNil(two.json[path: "metadata", "continue"])
    }
}
