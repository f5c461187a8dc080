import APIMachinery
import Foundation
import Synchronization
import HTTPServer

/// Serves the OpenAPI v3 index and per group-version documents. The documents are built once from
/// the served resources and schemas; a test checks they equal the files committed under OpenAPI/.
///
/// The build starts on its own thread when the server is made, so it overlaps the rest of startup
/// instead of adding to it (it was a fifth of the time to `/readyz`); a request that comes before it
/// is done waits for it.
final class OpenAPIServing: Sendable {
    private struct Built: Sendable {
        let indexBytes: [UInt8]
        let documents: [String: [UInt8]]
        let hashes: [String: String]
    }

    private final class Pending: @unchecked Sendable {
        let done = DispatchGroup()
        /// Written once by the building thread before `done` is left; read only after waiting on it.
        var built: Built?
    }

    private let pending = Pending()
    /// Custom resources' documents, which change with their CRDs.
    let customResources: CustomResourceOpenAPI?
    /// `/openapi/v2`, built from the v3 documents on its first request (few clients ask for it).
    /// Kept with the custom documents it was made with (their paths and hashes): a CRD change makes it anew.
    private let v2 = Mutex<(custom: String, representations: OpenAPIV2Representations)?>(nil)

    init(resources: [APIResource], schemas: SchemaSet, customResources: CustomResourceOpenAPI? = nil) {
        self.customResources = customResources
        let pending = self.pending
        pending.done.enter()
        // On a Dispatch worker rather than a Thread of our own: nothing has to keep a thread object
        // alive if the server is discarded before the build ends (tests make and drop many). The
        // documents nest a few dozen levels at most, well within a worker's stack.
        DispatchQueue.global(qos: .userInitiated).async {
            let documents = OpenAPIDocuments(resources: resources)
            pending.built = Built(indexBytes: documents.index, documents: documents.documents, hashes: documents.hashes)
            pending.done.leave()
        }
    }

    var v2Representations: OpenAPIV2Representations {
        let documents = built.documents
        let custom = customResources?.index() ?? []
        let signature = custom.map { "\($0.path)@\($0.hash)" }.joined(separator: ",")
        return v2.withLock { cached in
            if let cached, cached.custom == signature { return cached.representations }
            let v3 = documents.keys.sorted().compactMap { documents[$0] } + custom.compactMap { customResources?.document($0.path) }
            let made = OpenAPIV2Representations(v3Documents: v3)
            cached = (signature, made)
            return made
        }
    }

    private var built: Built {
        pending.done.wait()
        return pending.built!
    }

    /// The built-in documents' index, with the custom resources' group-versions when any is served.
    func index(request: HTTPRequest) -> HTTPResponse {
        let built = self.built
        guard let custom = customResources?.index(), !custom.isEmpty else { return Responses.json(built.indexBytes) }
        var paths = JSONObject()
        for (path, hash) in built.hashes { paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")] }
        for (path, hash) in custom where paths[path] == nil {
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")]
        }
        paths.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return Responses.json(JSONWriter.encode(["paths": .object(paths)]))
    }

    /// `api/v1`, `apis/apps/v1`, ...; the `hash` query parameter is accepted and ignored: built-in
    /// documents never change while the server runs, and a custom one's hash changes with its CRDs.
    func document(_ path: String, request: HTTPRequest) throws(APIError) -> HTTPResponse {
        guard let bytes = built.documents[path] ?? customResources?.document(path) else { throw APIError.pathNotFound }
        var response = Responses.json(bytes)
        if request.queryValue("hash") != nil {
            response.headers.append(("Cache-Control", "public, immutable"))
        }
        return response
    }
}
