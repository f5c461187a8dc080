import APIMachinery
import ArgumentParser
import Foundation
import Registry

/// `kubelite openapi --output-dir OpenAPI`: writes the OpenAPI v3 documents the server serves.
struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Write the served OpenAPI v3 documents to a directory."
    )

    @Option(name: .customLong("output-dir"), help: "Directory to write index.json and the per group-version documents to.")
    var outputDirectory = "OpenAPI/v3"

    func run() throws {
        let built = OpenAPIDocuments(resources: ResourceCatalog.all)
        let directory = URL(fileURLWithPath: outputDirectory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(built.index).write(to: directory.appendingPathComponent(OpenAPIDocuments.indexFileName))
        for (path, bytes) in built.documents {
            try Data(bytes).write(to: directory.appendingPathComponent(OpenAPIDocuments.fileName(for: path)))
        }
        print("wrote \(built.documents.count + 1) documents to \(outputDirectory)")
    }
}
