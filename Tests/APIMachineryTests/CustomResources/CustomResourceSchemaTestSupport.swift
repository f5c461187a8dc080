import XCTest
@testable import APIMachinery

/// Shared helpers: schemas are written as JSON text, as in a CRD manifest.
enum CustomResourceSchemaFixture {
    static let root: FieldPath = "spec.versions[0].schema.openAPIV3Schema"

    static func json(_ text: String) -> JSON {
        // Test input is constant text; a syntax error is a bug in the test itself.
        try! JSONParser.parse(text).value
    }

    /// The CRD validation errors for a schema, rendered as upstream renders them.
    static func crdErrors(_ text: String) -> [String] {
        StructuralSchema.validate(openAPIV3Schema: json(text), path: root).map(\.description)
    }

    static func schema(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> StructuralSchema? {
        do {
            return try StructuralSchema(openAPIV3Schema: json(text), path: root)
        } catch {
            XCTFail("schema rejected: \(error)", file: file, line: line)
            return nil
        }
    }
}
