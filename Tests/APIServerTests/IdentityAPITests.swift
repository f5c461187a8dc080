import APIMachinery
import APIServer
import Credentials
import Foundation
import HTTPServer
import Registry
import XCTest

/// The identity endpoints through the API server's handler: discovery of the new kinds and
/// subresources, TokenRequest with a real signer, the reviews (create only), eviction and the
/// service account issuer discovery documents.
final class IdentityAPITests: XCTestCase {
    static let key = try! ServiceAccountSigningKey.generate()
    var api: InProcessAPI!

    override func setUpWithError() throws {
        api = try InProcessAPI()
        api.server.registry.connectTokenIssuer(JWTTokenGenerator(key: Self.key))
    }

    override func tearDown() { api.server.registry.stopWatches() }

    func testDiscoveryNamesTheSubresourcesKinds() {
        let core = api.call("GET", "/api/v1").json["resources"]?.arrayValue ?? []
        let eviction = core.first { $0["name"] == "pods/eviction" }
        XCTAssertEqual(eviction?["group"], "policy")
        XCTAssertEqual(eviction?["kind"], "Eviction")
        XCTAssertEqual(eviction?["verbs"], ["create"])
        let token = core.first { $0["name"] == "serviceaccounts/token" }
        XCTAssertEqual(token?["group"], "authentication.k8s.io")
        XCTAssertEqual(token?["kind"], "TokenRequest")
        XCTAssertEqual(core.first { $0["name"] == "serviceaccounts" }?["shortNames"], ["sa"])
        let authz = api.call("GET", "/apis/authorization.k8s.io/v1").json["resources"]?.arrayValue ?? []
        XCTAssertEqual(Set(authz.compactMap { $0["name"]?.stringValue }),
                       ["localsubjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews", "subjectaccessreviews"])
        XCTAssertTrue(authz.allSatisfy { $0["verbs"] == ["create"] })
        let policy = api.call("GET", "/apis/policy/v1").json["resources"]?.arrayValue ?? []
        XCTAssertEqual(policy.first?["shortNames"], ["pdb"])
    }

    func testTokenRequestThroughTheHandler() {
        api.call("POST", "/api/v1/namespaces/default/serviceaccounts",
                 body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "builder"]])
        let answer = api.call("POST", "/api/v1/namespaces/default/serviceaccounts/builder/token",
                              body: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["expirationSeconds": 900]])
        XCTAssertEqual(answer.status, 201)
        XCTAssertEqual(answer.json["kind"], "TokenRequest")
        XCTAssertEqual(answer.json[path: "status", "token"]?.stringValue?.split(separator: ".").count, 3)
        XCTAssertEqual(answer.json[path: "status", "expirationTimestamp"], "2023-11-14T22:28:20Z")
        let missing = api.call("POST", "/api/v1/namespaces/default/serviceaccounts/nobody/token", body: [:])
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.json["message"], #"serviceaccounts "nobody" not found"#)
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/serviceaccounts/builder/token").status, 405)
    }

    func testReviewsAreCreateOnly() {
        let answer = api.call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                              body: ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"])
        XCTAssertEqual(answer.status, 201)
        XCTAssertEqual(answer.json[path: "status", "userInfo", "username"], "system:anonymous")
        XCTAssertEqual(api.call("GET", "/apis/authentication.k8s.io/v1/selfsubjectreviews").status, 405)
        XCTAssertEqual(api.call("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/x").status, 405)
        let wrongKind = api.call("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                                 body: ["apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                                        "spec": ["resourceAttributes": ["verb": "get"]]])
        XCTAssertEqual(wrongKind.status, 400)
        // Nothing is stored: the namespace's content is unchanged.
        let local = api.call("POST", "/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews",
                             body: ["spec": ["user": "alice", "resourceAttributes": ["namespace": "default", "verb": "get"]]])
        XCTAssertEqual(local.status, 201)
        XCTAssertEqual(local.json[path: "metadata", "namespace"], "default")
        XCTAssertEqual(local.json["status"], ["allowed": true])
    }

    func testEvictionAndIssuerDiscovery() {
        api.call("POST", "/api/v1/namespaces/default/pods",
                 body: ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web"],
                        "spec": ["containers": [["name": "c", "image": "nginx"]]]])
        let mismatch = api.call("POST", "/api/v1/namespaces/default/pods/web/eviction",
                                body: ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "other"]])
        XCTAssertEqual(mismatch.status, 400)
        XCTAssertEqual(mismatch.json["message"], "name in URL does not match name in Eviction object")
        let evicted = api.call("POST", "/api/v1/namespaces/default/pods/web/eviction",
                               body: ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "web"],
                                      "deleteOptions": ["gracePeriodSeconds": 0]])
        XCTAssertEqual(evicted.status, 201)
        XCTAssertEqual(evicted.json, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201])
        XCTAssertEqual(api.call("GET", "/api/v1/namespaces/default/pods/web").status, 404)

        let jwks = api.call("GET", "/openid/v1/jwks")
        XCTAssertEqual(jwks.header("Content-Type"), "application/jwk-set+json")
        XCTAssertEqual(jwks.json["keys"]?.arrayValue?.first?["kid"], .string(Self.key.keyID))
        XCTAssertEqual(api.call("GET", "/.well-known/openid-configuration").json["issuer"], "https://kubernetes.default.svc.cluster.local")
        XCTAssertEqual(api.call("POST", "/openid/v1/jwks").status, 405)
    }
}

/// TokenReview with the real signer: who a token authenticates as, and why one does not.
final class TokenReviewAPITests: XCTestCase {
    var api: InProcessAPI!

    override func setUpWithError() throws {
        api = try InProcessAPI()
        api.server.registry.connectTokenIssuer(JWTTokenGenerator(key: IdentityAPITests.key))
        api.call("POST", "/api/v1/namespaces/default/serviceaccounts",
                 body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "builder"]])
    }

    override func tearDown() { api.server.registry.stopWatches() }

    func token(_ spec: JSON = [:]) -> String {
        api.call("POST", "/api/v1/namespaces/default/serviceaccounts/builder/token", body: ["spec": spec])
            .json[path: "status", "token"]?.stringValue ?? ""
    }

    func review(_ token: String, audiences: [String] = []) -> JSON {
        var spec: JSONObject = ["token": .string(token)]
        if !audiences.isEmpty { spec["audiences"] = .array(audiences.map { .string($0) }) }
        let answer = api.call("POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                              body: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": .object(spec)])
        XCTAssertEqual(answer.status, 201, answer.text)
        return answer.json["status"] ?? .null
    }

    func testAValidTokenAuthenticatesAsItsAccount() throws {
        let status = review(token())
        XCTAssertEqual(status["authenticated"], true)
        XCTAssertEqual(status[path: "user", "username"], "system:serviceaccount:default:builder")
        XCTAssertEqual(status[path: "user", "groups"], ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"])
        let uid = api.call("GET", "/api/v1/namespaces/default/serviceaccounts/builder").json[path: "metadata", "uid"]
        XCTAssertEqual(status[path: "user", "uid"], uid)
        XCTAssertEqual(status[path: "user", "extra", "authentication.kubernetes.io/credential-id"]?.arrayValue?.first?.stringValue?.hasPrefix("JTI="), true)
        XCTAssertNil(status["audiences"])
        XCTAssertEqual(review(token(["audiences": ["vault"]]), audiences: ["vault", "other"])["audiences"], ["vault"])
    }

    func testANodeBoundTokenGoesWithItsNode() {
        let node = api.call("POST", "/api/v1/nodes", body: ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]]).json
        let bound = token(["boundObjectRef": ["apiVersion": "v1", "kind": "Node", "name": "n1"]])
        let status = review(bound)
        XCTAssertEqual(status["authenticated"], true)
        XCTAssertEqual(status[path: "user", "extra", "authentication.kubernetes.io/node-uid"], [node[path: "metadata", "uid"] ?? .null])
        api.call("DELETE", "/api/v1/nodes/n1")
        XCTAssertEqual(review(bound)["error"], "[invalid bearer token, service account token has been invalidated]")
    }

    func testRefusals() {
        let issued = token()
        XCTAssertEqual(review("not-a-token")["error"], "invalid bearer token")
        let parts = issued.split(separator: ".")
        XCTAssertEqual(review("\(parts[0]).\(parts[1]).\(String(parts[2].reversed()))")["error"],
                       "[invalid bearer token, square/go-jose: error in cryptographic primitive]")
        XCTAssertEqual(review(issued, audiences: ["vault"])["error"],
                       #"[invalid bearer token, token audiences ["https://kubernetes.default.svc.cluster.local"] is invalid for the target audiences ["vault"]]"#)
        api.clock.current = api.clock.current.addingTimeInterval(3600 + 61)
        XCTAssertEqual(review(issued)["error"], "[invalid bearer token, service account token has expired]")
        XCTAssertEqual(review(issued)["authenticated"], false)
        api.clock.current = api.clock.current.addingTimeInterval(-(3600 + 61))
        api.call("DELETE", "/api/v1/namespaces/default/serviceaccounts/builder")
        api.call("POST", "/api/v1/namespaces/default/serviceaccounts",
                 body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "builder"]])
        XCTAssertEqual(review(issued)["error"]?.stringValue?.contains("does not match claim"), true)
        let empty = api.call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", body: ["spec": [:]])
        XCTAssertEqual(empty.status, 400)
        XCTAssertEqual(empty.json["message"], "token is required for TokenReview in authentication")
    }
}

/// kubectl's --as/--as-group: the reviews answer about the impersonated user.
final class ImpersonationAPITests: XCTestCase {
    func whoami(_ headers: [(String, String)]) throws -> InProcessAPI.Response {
        let api = try InProcessAPI()
        defer { api.server.registry.stopWatches() }
        var all: [(name: String, value: String)] = [("content-type", "application/json")]
        all += headers.map { (name: $0.0.lowercased(), value: $0.1) }
        let body = JSONWriter.encode(["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"])
        let response = api.server.handle(HTTPRequest(method: "POST", path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                                                     query: [], headers: all, body: body)).received()
        return InProcessAPI.Response(status: response.status, headers: response.headers, body: response.bodyBytes)
    }

    func testImpersonatedUsersAndTheirGroups() throws {
        let alice = try whoami([("Impersonate-User", "alice"), ("Impersonate-Group", "devs"), ("Impersonate-Extra-Scopes", "read")])
        XCTAssertEqual(alice.json[path: "status", "userInfo"],
                       ["username": "alice", "groups": ["devs", "system:authenticated"], "extra": ["scopes": ["read"]]])
        let account = try whoami([("Impersonate-User", "system:serviceaccount:ci:builder")])
        XCTAssertEqual(account.json[path: "status", "userInfo", "groups"],
                       ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"])
        XCTAssertEqual(try whoami([]).json[path: "status", "userInfo", "username"], "system:anonymous")
        XCTAssertEqual(try whoami([("Impersonate-Group", "devs")]).status, 400)
    }
}
