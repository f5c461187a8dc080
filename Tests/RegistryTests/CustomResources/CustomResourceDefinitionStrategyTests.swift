import APIMachinery
@testable import Registry
import XCTest

/// The CRD strategy: upstream's defaults, status handling and validation messages.
final class CustomResourceDefinitionStrategyTests: XCTestCase {
    let strategy = CustomResourceDefinitionStrategy()

    func testDefaultsSingularListKindAndConversion() {
        let (object, errors) = create(strategy, CustomResourceFixtures.widgets())
        XCTAssertEqual(errors, [])
        XCTAssertEqual(object[path: "spec", "names", "singular"], "widget")
        XCTAssertEqual(object[path: "spec", "names", "listKind"], "WidgetList")
        XCTAssertEqual(object[path: "spec", "conversion"], ["strategy": "None"])
        XCTAssertEqual(object[path: "status", "storedVersions"], ["v1"])
        XCTAssertEqual(object[path: "status", "conditions"], [])
    }

    func testUpdateKeepsStatusAndAddsNewStorageVersion() {
        var (old, _) = create(strategy, CustomResourceFixtures.widgets())
        old[path: "status", "conditions"] = [["type": "Established", "status": "True"]]
        var new = old
        new["status"] = nil
        new[path: "spec", "versions"] = .array([
            ["name": "v1", "served": true, "storage": false, "schema": ["openAPIV3Schema": ["type": "object"]]],
            ["name": "v2", "served": true, "storage": true, "schema": ["openAPIV3Schema": ["type": "object"]]],
        ])
        let (object, errors) = update(strategy, new, old: old)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(object[path: "status", "storedVersions"], ["v1", "v2"])
        XCTAssertEqual(object[path: "status", "conditions"], old[path: "status", "conditions"])
    }

    func testNameMustBePluralDotGroup() {
        var crd = CustomResourceFixtures.widgets()
        crd[path: "metadata", "name"] = "gadgets.example.com"
        XCTAssertEqual(create(strategy, crd).errors,
                       [#"metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group"#])
    }

    func testSpecValidationMessages() {
        var crd = CustomResourceFixtures.widgets(group: "example")
        crd[path: "metadata", "name"] = "widgets.example"
        crd[path: "spec", "scope"] = "Global"
        crd[path: "spec", "names", "listKind"] = "Widget"
        crd[path: "spec", "names", "shortNames"] = ["W_D"]
        var version = crd[path: "spec", "versions"]!.arrayValue![0]
        version["storage"] = false
        version["schema"] = nil
        version[path: "subresources", "scale", "specReplicasPath"] = ".status.replicas"
        version["additionalPrinterColumns"] = [["name": "X", "type": "float", "jsonPath": "spec.x"]]
        crd[path: "spec", "versions"] = [version]
        let errors = create(strategy, crd).errors
        XCTAssertEqual(errors, [
            #"spec.group: Invalid value: "example": should be a domain with at least one dot"#,
            #"spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced""#,
            #"spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec"#,
            #"spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "float": supported values: "boolean", "date", "integer", "number", "string""#,
            #"spec.versions[0].additionalPrinterColumns[0].jsonPath: Invalid value: "spec.x": must be a simple json path starting with ."#,
            "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required",
            "spec.versions: Invalid value: " + FieldError.render(crd[path: "spec", "versions"]) + ": must have exactly one version marked as storage version",
            #"spec.names.shortNames[0]: Invalid value: "W_D": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"#,
            #"spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same"#,
        ])
    }

    func testWebhookConversionIsAcceptedWithItsClientConfig() {
        var crd = CustomResourceFixtures.widgets()
        crd[path: "spec", "conversion"] = ["strategy": "Webhook"]
        XCTAssertEqual(create(strategy, crd).errors, ["spec.conversion.webhook: Required value: required when strategy is set to Webhook"])
        crd[path: "spec", "conversion", "webhook"] = ["conversionReviewVersions": ["v1"], "clientConfig": ["url": "https://conv.example.com"]]
        XCTAssertEqual(create(strategy, crd).errors, [])
    }

    func testGroupAndPluralAreImmutable() {
        let (old, _) = create(strategy, CustomResourceFixtures.widgets())
        var new = old
        new[path: "spec", "names", "plural"] = "gizmos"
        new[path: "metadata", "name"] = "widgets.example.com"
        XCTAssertTrue(update(strategy, new, old: old).errors.contains(#"spec.names.plural: Invalid value: "gizmos": field is immutable"#))
    }
}
