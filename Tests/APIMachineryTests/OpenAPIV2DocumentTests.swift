import XCTest
@testable import APIMachinery

final class OpenAPIV2DocumentTests: XCTestCase {
    static let v3 = OpenAPIDocuments(resources: [OpenAPIDocumentsShapeTests.statefulSets, OpenAPIDocumentsShapeTests.nodes])
    static let document: JSON = OpenAPIV2Document.build(fromV3: v3.documents.keys.sorted().map {
        try! JSONParser.parse(v3.documents[$0]!).value
    })

    func testTopLevelIsSwagger2WithBearerTokenSecurity() {
        let d = Self.document
        XCTAssertEqual(d[path: "swagger"], "2.0")
        XCTAssertEqual(d[path: "info"], ["title": "Kubernetes", "version": "v1.32.0"])
        XCTAssertEqual(d[path: "security"], [["BearerToken": []]])
        XCTAssertEqual(d[path: "securityDefinitions", "BearerToken", "type"], "apiKey")
        XCTAssertNil(d[path: "components"])
        XCTAssertNil(d[path: "openapi"])
    }

    func testSchemasUseDefinitionsReferencesWithoutAllOfOrOneOf() throws {
        let definitions = try XCTUnwrap(Self.document[path: "definitions"]?.objectValue)
        let spec = try XCTUnwrap(definitions["io.k8s.api.apps.v1.StatefulSetSpec"])
        XCTAssertEqual(spec[path: "properties", "selector"], ["$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"])
        XCTAssertEqual(definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"], ["format": "int-or-string", "type": "string"])
        XCTAssertEqual(definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"], ["type": "string"])
        XCTAssertEqual(definitions["io.k8s.api.apps.v1.StatefulSet"]?[path: "x-kubernetes-group-version-kind"],
                       [["group": "apps", "kind": "StatefulSet", "version": "v1"]])
        let text = JSONWriter.encodeString(Self.document)
        XCTAssertFalse(text.contains("#/components/schemas/"))
        XCTAssertFalse(text.contains("\"allOf\":[{\"$ref\""))
        XCTAssertFalse(text.contains("\"oneOf\""))
    }

    func testOperationsCarryBodyParameterConsumesProducesAndResponseSchemas() throws {
        let create = try XCTUnwrap(Self.document[path: "paths", "/apis/apps/v1/namespaces/{namespace}/statefulsets", "post"])
        let parameters = try XCTUnwrap(create[path: "parameters"]?.arrayValue)
        XCTAssertEqual(parameters.first, ["in": "body", "name": "body", "required": true,
                                          "schema": ["$ref": "#/definitions/io.k8s.api.apps.v1.StatefulSet"]])
        XCTAssertEqual(parameters.last, ["in": "query", "name": "fieldValidation", "type": "string", "uniqueItems": true])
        XCTAssertEqual(create[path: "consumes"], ["*/*"])
        XCTAssertEqual(create[path: "produces"], ["application/json", "application/yaml"])
        XCTAssertEqual(create[path: "responses", "201"], ["description": "Created", "schema": ["$ref": "#/definitions/io.k8s.api.apps.v1.StatefulSet"]])
        XCTAssertEqual(create[path: "schemes"], ["https"])
        XCTAssertEqual(create[path: "x-kubernetes-action"], "post")
        let pathParameters = try XCTUnwrap(Self.document[path: "paths", "/apis/apps/v1/namespaces/{namespace}/statefulsets", "parameters"]?.arrayValue)
        XCTAssertTrue(pathParameters.contains(["in": "path", "name": "namespace", "required": true, "type": "string", "uniqueItems": true]))
    }

    // MARK: protobuf

    /// Fields of one message as (number, wire type, payload range or varint).
    private func fields(_ bytes: [UInt8], _ range: Range<Int>? = nil) throws -> [(Int32, Int, Range<Int>?, UInt64)] {
        var reader = ProtobufWireReader(bytes, range ?? bytes.indices)
        var out: [(Int32, Int, Range<Int>?, UInt64)] = []
        while !reader.isAtEnd {
            let (number, wireType) = try reader.key(in: "test")
            switch wireType {
            case 0: out.append((number, wireType, nil, try reader.varint()))
            case 1: out.append((number, wireType, nil, try reader.fixed64()))
            case 2: out.append((number, wireType, try reader.lengthDelimited(), 0))
            default: XCTFail("wire type \(wireType)")
            }
        }
        return out
    }

    private func string(_ bytes: [UInt8], _ range: Range<Int>?) -> String {
        String(decoding: bytes[range!], as: UTF8.self)
    }

    func testWriterEncodesVarintsDoublesAndNestedMessages() throws {
        var inner = ProtobufWriter()
        inner.string(1, "x")
        var writer = ProtobufWriter()
        writer.int64(3, 300)
        writer.bool(4, true)
        writer.double(5, 1.5)
        writer.message(6, inner)
        XCTAssertEqual(writer.bytes, [0x18, 0xac, 0x02, 0x20, 0x01, 0x29] + (1.5).bitPattern.littleEndianBytes + [0x32, 0x03, 0x0a, 0x01, 0x78])
    }

    func testDocumentEncodesAsGnosticDocument() throws {
        let bytes = OpenAPIV2Protobuf.encode(Self.document)
        let top = try fields(bytes)
        XCTAssertEqual(top.map(\.0), [1, 2, 8, 9, 12, 13], "swagger, info, paths, definitions, security, securityDefinitions")
        XCTAssertEqual(string(bytes, top[0].2), "2.0")
        // definitions: NamedSchema { name = 1, value = 2 }, one per definition.
        let definitions = try fields(bytes, top[3].2)
        let count = Self.document[path: "definitions"]?.objectValue?.count ?? 0
        XCTAssertEqual(definitions.count, count)
        let names = try definitions.map { try fields(bytes, $0.2) }.map { string(bytes, $0[0].2) }
        let index = try XCTUnwrap(names.firstIndex(of: "io.k8s.api.apps.v1.StatefulSet"))
        let pair = try fields(bytes, definitions[index].2)
        let schema = try fields(bytes, pair[1].2)
        // vendor_extension = 31: NamedAny { name, Any { yaml = 2 } } with the GVK list as JSON text.
        let gvk = try XCTUnwrap(schema.first { $0.0 == 31 })
        let named = try fields(bytes, gvk.2)
        XCTAssertEqual(string(bytes, named[0].2), "x-kubernetes-group-version-kind")
        let any = try fields(bytes, named[1].2)
        XCTAssertEqual(any.map(\.0), [2])
        XCTAssertEqual(try JSONParser.parse(Array(string(bytes, any[0].2).utf8)).value, [["group": "apps", "kind": "StatefulSet", "version": "v1"]])
        // type = 22: TypeItem { value = 1 }.
        let type = try XCTUnwrap(schema.first { $0.0 == 22 })
        XCTAssertEqual(string(bytes, try fields(bytes, type.2)[0].2), "object")
    }

    func testQueryAndPathParametersUseTheirSubSchemaNumbering() throws {
        // ParametersItem { Parameter = 1 { NonBodyParameter = 2 { query = 3 | path = 4 } } }
        func subSchema(_ parameter: JSON) throws -> (Int32, [(Int32, Int, Range<Int>?, UInt64)], [UInt8]) {
            let bytes = OpenAPIV2Protobuf.parametersItem(parameter).bytes
            let parameterField = try fields(bytes)[0]
            let nonBody = try fields(bytes, parameterField.2)[0]
            XCTAssertEqual(nonBody.0, 2)
            let choice = try fields(bytes, nonBody.2)[0]
            return (choice.0, try fields(bytes, choice.2), bytes)
        }
        let (queryChoice, query, queryBytes) = try subSchema(["in": "query", "name": "limit", "type": "integer", "uniqueItems": true])
        XCTAssertEqual(queryChoice, 3)
        XCTAssertEqual(query.map(\.0), [2, 4, 6, 20], "in, name, type, unique_items")
        XCTAssertEqual(string(queryBytes, query[2].2), "integer")
        let (pathChoice, path, _) = try subSchema(["in": "path", "name": "name", "required": true, "type": "string", "uniqueItems": true])
        XCTAssertEqual(pathChoice, 4)
        XCTAssertEqual(path.map(\.0), [1, 2, 4, 5, 19], "required, in, name, type, unique_items")
    }
}

private extension UInt64 {
    var littleEndianBytes: [UInt8] { (0..<8).map { UInt8((self >> (8 * $0)) & 0xff) } }
}
