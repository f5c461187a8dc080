import APIMachinery
import HTTPServer
import Registry

/// The identity endpoints on resource paths: `serviceaccounts/<name>/token`, `pods/<name>/eviction`
/// and the create-only reviews.
extension ResourceHandler {
    /// POST of a review: answered 201 with its status, never stored. Self reviews answer about the
    /// authenticated user, or the user it impersonates; the access reviews answer from the authorizer in force.
    func serveReview(_ review: ReviewStore, namespace: String?) throws(APIError) -> HTTPResponse {
        guard info.verb == "create", info.name.isEmpty else { throw APIError.methodNotAllowed }
        if review.resource.namespaced, namespace == nil { throw APIError.methodNotAllowed }
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: false)
        let body = try BodyReader.read(request, patch: false).body
        if review.resource.kind == "TokenReview" {
            guard let tokens = server.registry.tokenReviews else {
                throw APIError.serviceUnavailable("the service account token signer is not running")
            }
            return Responses.encode(try tokens.create(body: body.value), bytes: nil, format: format, status: 201)
        }
        let answer = try review.create(namespace: namespace, body: body.value, user: RequestUser.of(served),
                                       authorizer: server.registry.authorizer)
        return Responses.encode(answer, bytes: nil, format: format, status: 201)
    }

    /// POST of a TokenRequest to `serviceaccounts/<name>/token`.
    func serveTokenRequest(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        guard let namespace else { throw APIError.pathNotFound }
        guard let tokens = server.registry.tokenRequests else {
            throw APIError.serviceUnavailable("the service account token signer is not running")
        }
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: false)
        let body = try BodyReader.read(request, patch: false).body
        _ = try QueryOptions.write(served)  // the query is checked as for any create
        let answer = try tokens.create(namespace: namespace, name: info.name, body: body.value)
        return Responses.encode(answer, bytes: nil, format: format, status: 201)
    }

    /// POST of a policy/v1 Eviction to `pods/<name>/eviction`.
    func serveEviction(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        guard let namespace, let eviction = server.registry.podEviction else { throw APIError.pathNotFound }
        let format = try ResponseFormat.negotiate(request.header("accept"), allowTable: false)
        let body = try BodyReader.read(request, patch: false).body
        let deleteOptions = body.value["deleteOptions"].flatMap { $0.isNull ? nil : $0 }
        let status = try eviction.create(namespace: namespace, name: info.name, eviction: body.value,
                                         deleteOptions: QueryOptions.delete(request, body: deleteOptions),
                                         dryRun: QueryOptions.write(served).dryRun)
        return Responses.encode(status, bytes: nil, format: format, status: 201)
    }
}

/// `/.well-known/openid-configuration` and `/openid/v1/jwks` (kube-apiserver's service account
/// issuer discovery), so a relying party can verify service account tokens.
enum ServiceAccountIssuerDiscovery {
    static func serve(_ path: String, request: HTTPRequest, registry: Registry) throws(APIError) -> HTTPResponse {
        guard let issuer = registry.tokenIssuer else { throw APIError.pathNotFound }
        if path == "/openid/v1/jwks" {
            let keys: JSON
            do { keys = try issuer.jwks() } catch { throw APIError.internalError("\(error)") }
            return Responses.json(JSONWriter.encode(keys), contentType: "application/jwk-set+json")
        }
        // Served over plain HTTP here, so the key set's address is this server's as the client reached it.
        let host = request.header("host") ?? "127.0.0.1"
        return Responses.json(JSONWriter.encode(issuer.openIDConfiguration(jwksURI: "http://\(host)/openid/v1/jwks")))
    }
}
