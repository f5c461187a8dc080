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
    }

    private final class Pending: @unchecked Sendable {
        let done = DispatchGroup()
        /// Written once by the building thread before `done` is left; read only after waiting on it.
        var built: Built?
    }

    private let pending = Pending()
    /// `/openapi/v2`, built from the v3 documents on its first request (few clients ask for it).
    private let v2 = Mutex<OpenAPIV2Representations?>(nil)

    init(resources: [APIResource], schemas: SchemaSet) {
        let pending = self.pending
        pending.done.enter()
        // On a Dispatch worker rather than a Thread of our own: nothing has to keep a thread object
        // alive if the server is discarded before the build ends (tests make and drop many). The
        // documents nest a few dozen levels at most, well within a worker's stack.
        DispatchQueue.global(qos: .userInitiated).async {
            let documents = OpenAPIDocuments(resources: resources)
            pending.built = Built(indexBytes: documents.index, documents: documents.documents)
            pending.done.leave()
        }
    }

    var v2Representations: OpenAPIV2Representations {
        let documents = built.documents
        return v2.withLock { cached in
            if let cached { return cached }
            let made = OpenAPIV2Representations(v3Documents: documents.keys.sorted().compactMap { documents[$0] })
            cached = made
            return made
        }
    }

    private var built: Built {
        pending.done.wait()
        return pending.built!
    }

    func index(request: HTTPRequest) -> HTTPResponse {
        Responses.json(built.indexBytes)
    }

    /// `api/v1`, `apis/apps/v1`, ...; the `hash` query parameter is accepted and ignored, as the
    /// documents never change while the server runs.
    func document(_ path: String, request: HTTPRequest) throws(APIError) -> HTTPResponse {
        guard let bytes = built.documents[path] else { throw APIError.pathNotFound }
        var response = Responses.json(bytes)
        if request.queryValue("hash") != nil {
            response.headers.append(("Cache-Control", "public, immutable"))
        }
        return response
    }
}
