import APIMachinery
import Foundation
@testable import Registry
import XCTest

/// A custom resource version's strategy: discovery facts from the accepted names, status handling,
/// generation, selectable fields and the Table.
final class CustomResourceStrategyTests: XCTestCase {
    func strategy(_ crd: JSON = CustomResourceFixtures.widgets()) -> CustomResourceStrategy {
        var accepted = crd
        accepted[path: "status", "acceptedNames"] = ["plural": "widgets", "singular": "widget", "shortNames": ["wd"],
                                                     "kind": "Widget", "listKind": "WidgetList", "categories": ["all"]]
        let view = CustomResourceDefinitionView(accepted)
        return CustomResourceStrategy(definition: view, version: view.versions[0], schema: PassThroughCustomResourceSchema())
    }

    func testResourceComesFromAcceptedNames() {
        let resource = strategy().resource
        XCTAssertEqual(resource.gvk, GroupVersionKind(group: "example.com", version: "v1", kind: "Widget"))
        XCTAssertEqual(resource.plural, "widgets")
        XCTAssertEqual(resource.listKind, "WidgetList")
        XCTAssertEqual(resource.shortNames, ["wd"])
        XCTAssertEqual(resource.categories, ["all"])
        XCTAssertEqual(resource.subresources, ["status", "scale"])
        XCTAssertEqual(resource.definition, "com.example.v1.Widget")
        XCTAssertTrue(resource.namespaced)
    }

    func testStatusIsKeptAndGenerationFollowsNonMetadataChanges() {
        let s = strategy()
        var created = CustomResourceFixtures.widget("a")
        created["status"] = ["replicas": 3]
        s.prepareForCreate(&created)
        XCTAssertNil(created["status"])

        let old = modified(CustomResourceFixtures.widget("a")) { $0["status"] = ["replicas": 1] }
        var new = modified(old) { $0["status"] = ["replicas": 9]; $0[path: "metadata", "labels"] = ["a": "b"] }
        s.prepareForUpdate(&new, old: old)
        XCTAssertEqual(new["status"], ["replicas": 1])
        XCTAssertFalse(s.specChanged(new, old: old))
        XCTAssertTrue(s.specChanged(modified(old) { $0["extra"] = "x" }, old: old))
    }

    func testSelectableFieldsIncludeTheCRDsPaths() {
        let fields = strategy().selectableFields(CustomResourceFixtures.widget("a", color: "red"))
        XCTAssertEqual(fields, ["metadata.name": "a", "metadata.namespace": "", "spec.color": "red"])
        XCTAssertEqual(strategy().selectableFields(["metadata": [:]]).keys.sorted(), ["metadata.name", "metadata.namespace", "spec.color"])
    }

    func testTableHasNameThenPrinterColumns() {
        let s = strategy()
        XCTAssertEqual(s.tableColumns.map(\.name), ["Name", "Replicas", "Ready"])
        var widget = CustomResourceFixtures.widget("a", replicas: 3)
        widget["status"] = ["conditions": [["type": "Synced", "status": "False"], ["type": "Ready", "status": "True"]]]
        XCTAssertEqual(s.tableCells(widget, now: Date()), ["a", 3, "True"])
        XCTAssertEqual(s.tableCells(CustomResourceFixtures.widget("b"), now: Date()), ["b", 1, .null])
    }

    func testTableDefaultsToAge() {
        var crd = CustomResourceFixtures.widgets()
        crd[path: "spec", "versions"] = [["name": "v1", "served": true, "storage": true]]
        let s = strategy(crd)
        XCTAssertEqual(s.tableColumns.map(\.name), ["Name", "Age"])
        var widget = CustomResourceFixtures.widget("a")
        widget[path: "metadata", "creationTimestamp"] = .string(Timestamp.format(Date().addingTimeInterval(-125)))
        XCTAssertEqual(s.tableCells(widget, now: Date()), ["a", "2m5s"])
    }

    func testJSONPathSubset() {
        let object = json(#"{"a":{"b":[{"k":"x","v":1},{"k":"y","v":2}],"c.d":true}}"#)
        XCTAssertEqual(CustomResourceJSONPath(".a.b[1].v")?.evaluate(object), [2])
        XCTAssertEqual(CustomResourceJSONPath(".a.b[*].k")?.evaluate(object), ["x", "y"])
        XCTAssertEqual(CustomResourceJSONPath(#".a.b[?(@.k=="y")].v"#)?.evaluate(object), [2])
        XCTAssertEqual(CustomResourceJSONPath(".a['c.d']")?.evaluate(object), [true])
        XCTAssertEqual(CustomResourceJSONPath(".a.missing")?.evaluate(object), [])
        XCTAssertNil(CustomResourceJSONPath("a..b"))
    }
}
