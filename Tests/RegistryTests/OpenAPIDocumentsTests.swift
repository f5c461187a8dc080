import APIMachinery
@testable import Registry
import XCTest

/// The committed OpenAPI v3 documents (`OpenAPI/v3/`) are exactly what `OpenAPIDocuments` builds
/// from `ResourceCatalog.all` and `SchemaSet.upstream`'s definitions; the server serves those bytes.
///
/// After changing the catalog, the schemas or the builder, regenerate the files with
/// `KUBELITE_UPDATE_OPENAPI=1 swift test --filter OpenAPIDocumentsTests` and commit them.
final class OpenAPIDocumentsTests: XCTestCase {
    private var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("OpenAPI").appendingPathComponent("v3")
    }

    func testCommittedDocumentsMatchTheBuilder() throws {
        let built = OpenAPIDocuments(resources: ResourceCatalog.all, definitions: SchemaSet.upstreamDefinitions)
        var files: [(String, [UInt8])] = [(OpenAPIDocuments.indexFileName, built.index)]
        for (path, bytes) in built.documents.sorted(by: { $0.key < $1.key }) {
            files.append((OpenAPIDocuments.fileName(for: path), bytes))
        }
        XCTAssertEqual(Set(built.documents.keys),
                       ["api/v1", "apis/apps/v1", "apis/batch/v1", "apis/networking.k8s.io/v1", "apis/storage.k8s.io/v1", "apis/discovery.k8s.io/v1", "apis/coordination.k8s.io/v1",
                        "apis/authentication.k8s.io/v1", "apis/authorization.k8s.io/v1", "apis/policy/v1",
                        "apis/rbac.authorization.k8s.io/v1", "apis/autoscaling/v1", "apis/autoscaling/v2", "apis/events.k8s.io/v1", "apis/node.k8s.io/v1", "apis/scheduling.k8s.io/v1",
                        "apis/apiregistration.k8s.io/v1", "apis/apiextensions.k8s.io/v1"])

        if ProcessInfo.processInfo.environment["KUBELITE_UPDATE_OPENAPI"] == "1" {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, bytes) in files {
                try Data(bytes).write(to: folder.appendingPathComponent(name))
            }
            return
        }
        for (name, bytes) in files {
            let committed = try Data(contentsOf: folder.appendingPathComponent(name))
            XCTAssertTrue(committed == Data(bytes),
                          "OpenAPI/v3/\(name) is stale: run KUBELITE_UPDATE_OPENAPI=1 swift test --filter OpenAPIDocumentsTests")
        }
    }
}
