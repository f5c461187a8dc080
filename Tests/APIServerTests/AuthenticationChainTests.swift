import APIMachinery
@testable import APIServer
import Credentials
import Foundation
import HTTPServer
import Registry
import Storage
import XCTest

/// kube-apiserver's authentication through the API server's handler: client certificates, the
/// static token file, service account tokens, anonymous auth, and their order and failures.
final class AuthenticationChainTests: XCTestCase {
    static let key = try! ServiceAccountSigningKey.generate()
    static let authority = try! ClusterCertificateAuthority.generate()
    static let admin = try! AuthenticationChainTests.authority.issue(commonName: "kubernetes-admin", organizations: ["system:masters"], usage: .client)
    static let tokens = try! StaticTokenFile(csv: "s3cret,alice,1001,\"devs,ops\"\nplain,bob,1002\n", path: "tokens.csv")
    var registry: Registry!
    let clock = FixedClock()

    override func setUpWithError() throws {
        clock.current = Date()
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream, clock: clock)
        try registry.bootstrap()
        registry.connectTokenIssuer(JWTTokenGenerator(key: Self.key))
    }

    override func tearDown() { registry.stopWatches() }

    func server(anonymous: Bool = true) throws -> APIServer {
        let certificates = ClientCertificateAuthenticator(verifier: try ClientCertificateVerifier(clientCAPEM: Self.authority.certificatePEM))
        let chain = AuthenticationChain.standard(clientCertificates: certificates, tokenFile: Self.tokens, registry: registry,
                                                 anonymousAllowed: anonymous)
        let api = APIServer(registry: registry, authentication: chain)
        api.markReady()
        return api
    }

    /// POSTs a SelfSubjectReview (`kubectl auth whoami`) with the given credentials.
    func whoami(_ api: APIServer, headers: [(name: String, value: String)] = [], certificates: [[UInt8]] = []) -> (Int, JSON) {
        var request = HTTPRequest(method: "POST", path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                                  headers: [("content-type", "application/json")] + headers,
                                  body: JSONWriter.encode(["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"]))
        request.peerCertificates = certificates
        let response = api.handle(request).received()
        let json = (try? JSONParser.parse(response.bodyBytes).value) ?? .null
        return (response.status, response.status == 201 ? json[path: "status", "userInfo"] ?? .null : json)
    }

    static let unauthorized: JSON = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                                     "message": "Unauthorized", "reason": "Unauthorized", "code": 401]

    func testTokenFileRecordsAsUpstreamReadsThem() throws {
        let file = try StaticTokenFile(csv: "t1,alice,1,\"a,b\"\n\n  t2, bob ,2\n,nobody,3\nt1,carol,4\n\"t\"\"3\",dave,5,\n", path: "f")
        XCTAssertEqual(file.authenticate(token: "t1"), .authenticated(UserInfo(username: "carol", uid: "4", groups: [])))
        XCTAssertEqual(file.authenticate(token: "t2"), .authenticated(UserInfo(username: "bob ", uid: "2", groups: [])))
        XCTAssertEqual(file.authenticate(token: "t\"3"), .authenticated(UserInfo(username: "dave", uid: "5", groups: [""])))
        XCTAssertEqual(file.authenticate(token: ""), .notPresented)
        XCTAssertEqual(file.count, 2 + 1)
        XCTAssertThrowsError(try StaticTokenFile(csv: "t1,alice\n", path: "/etc/tokens.csv")) { error in
            XCTAssertEqual("\(error)", "token file '/etc/tokens.csv' must have at least 3 columns (token, user name, user uid), found 2")
        }
        XCTAssertThrowsError(try StaticTokenFile(csv: "\"t1,alice,1\n", path: "f"))
    }

    func testEachAuthenticatorNamesItsUserWithSystemAuthenticated() throws {
        let api = try server()
        let (status, admin) = whoami(api, certificates: [try APIServerCertificatesDER.der(Self.admin.certificatePEM)])
        XCTAssertEqual(status, 201)
        XCTAssertEqual(admin, ["username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]])
        XCTAssertEqual(whoami(api, headers: [("authorization", "Bearer s3cret")]).1,
                       ["username": "alice", "uid": "1001", "groups": ["devs", "ops", "system:authenticated"]])
        XCTAssertEqual(whoami(api, headers: [("authorization", "bearer plain")]).1,
                       ["username": "bob", "uid": "1002", "groups": ["system:authenticated"]])
        XCTAssertEqual(whoami(api).1, ["username": "system:anonymous", "groups": ["system:unauthenticated"]])
        // Not a bearer credential: no credential at all.
        XCTAssertEqual(whoami(api, headers: [("authorization", "Basic YTpi")]).1["username"], "system:anonymous")
    }

    func testAnAuthenticatingBearerTokenIsRemovedFromTheRequest() throws {
        let chain = AuthenticationChain.standard(clientCertificates: nil, tokenFile: Self.tokens, registry: registry, anonymousAllowed: true)
        var request = HTTPRequest(method: "GET", path: "/api", headers: [("Authorization", "Bearer plain"), ("Accept", "application/json")])
        XCTAssertEqual(try chain.authenticate(&request).username, "bob")
        XCTAssertNil(request.header("authorization"))
        XCTAssertEqual(request.header("accept"), "application/json")
        var basic = HTTPRequest(method: "GET", path: "/api", headers: [("Authorization", "Basic YTpi")])
        XCTAssertEqual(try chain.authenticate(&basic), .anonymous)
        XCTAssertEqual(basic.header("authorization"), "Basic YTpi")
    }

    func testClientCertificateComesBeforeTokensAndImpersonationAfterBoth() throws {
        let api = try server()
        let both = whoami(api, headers: [("authorization", "Bearer s3cret")],
                          certificates: [try APIServerCertificatesDER.der(Self.admin.certificatePEM)])
        XCTAssertEqual(both.1["username"], "kubernetes-admin")
        // A refused certificate does not stop a good token (the union goes on), as upstream.
        let foreign = try ClusterCertificateAuthority.generate().issue(commonName: "mallory", usage: .client)
        let tokenWins = whoami(api, headers: [("authorization", "Bearer s3cret")], certificates: [try APIServerCertificatesDER.der(foreign.certificatePEM)])
        XCTAssertEqual(tokenWins.1["username"], "alice")
        let impersonating = whoami(api, headers: [("authorization", "Bearer s3cret"), ("impersonate-user", "carol")])
        XCTAssertEqual(impersonating.1["username"], "carol")
    }

    func testRefusedCredentialsAre401EvenWithAnonymousAuth() throws {
        let api = try server()
        let foreign = try ClusterCertificateAuthority.generate().issue(commonName: "mallory", usage: .client)
        for (headers, certificates) in [
            ([("authorization", "Bearer not-a-token")], []),
            ([("authorization", "Bearer a.b.c")], []),
            ([], [try APIServerCertificatesDER.der(foreign.certificatePEM)]),
        ] as [([(name: String, value: String)], [[UInt8]])] {
            let (status, body) = whoami(api, headers: headers, certificates: certificates)
            XCTAssertEqual(status, 401, "\(headers) \(certificates.count)")
            XCTAssertEqual(body, Self.unauthorized)
        }
        // Health endpoints are behind the same filter.
        XCTAssertEqual(api.handle(HTTPRequest(method: "GET", path: "/healthz", headers: [("authorization", "Bearer nope")])).received().status, 401)
    }

    func testWithoutAnonymousAuthNoCredentialIs401() throws {
        let api = try server(anonymous: false)
        XCTAssertEqual(whoami(api).0, 401)
        XCTAssertEqual(whoami(api, headers: [("authorization", "Bearer plain")]).0, 201)
    }

    func testServiceAccountTokensAuthenticateUntilTheirAccountIsGone() throws {
        let api = try server()
        func call(_ method: String, _ path: String, _ body: JSON) -> JSON {
            let response = api.handle(HTTPRequest(method: method, path: path, headers: [("content-type", "application/json")],
                                                  body: JSONWriter.encode(body))).received()
            return (try? JSONParser.parse(response.bodyBytes).value) ?? .null
        }
        let account = call("POST", "/api/v1/namespaces/default/serviceaccounts", ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "builder"]])
        let token = call("POST", "/api/v1/namespaces/default/serviceaccounts/builder/token",
                         ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["expirationSeconds": 600]])[path: "status", "token"]?.stringValue ?? ""
        let user = whoami(api, headers: [("authorization", "Bearer \(token)")])
        XCTAssertEqual(user.0, 201)
        XCTAssertEqual(user.1["username"], "system:serviceaccount:default:builder")
        XCTAssertEqual(user.1["uid"], account[path: "metadata", "uid"])
        XCTAssertEqual(user.1["groups"], ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"])
        // Expired (beyond the minute of leeway).
        clock.current = Date().addingTimeInterval(600 + 120)
        XCTAssertEqual(whoami(api, headers: [("authorization", "Bearer \(token)")]).0, 401)
        clock.current = Date()
        // Wrongly signed: another key's signature over the same claims.
        let parts = token.split(separator: ".")
        let forged = try JWTTokenGenerator(key: .generate()).generateToken(
            ServiceAccountTokenClaims(issuer: JWTTokenGenerator.defaultIssuer, audiences: [JWTTokenGenerator.defaultIssuer],
                                      issuedAt: Date(), expiresAt: Date().addingTimeInterval(600), namespace: "default",
                                      serviceAccount: .init(name: "builder", uid: account[path: "metadata", "uid"]?.stringValue ?? ""), id: "x"))
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(whoami(api, headers: [("authorization", "Bearer \(forged)")]).0, 401)
        _ = call("DELETE", "/api/v1/namespaces/default/serviceaccounts/builder", [:])
        let gone = whoami(api, headers: [("authorization", "Bearer \(token)")])
        XCTAssertEqual(gone.0, 401)
        XCTAssertEqual(gone.1, Self.unauthorized)
    }
}

/// DER of a PEM certificate (what the TLS layer hands over).
enum APIServerCertificatesDER {
    static func der(_ pem: String) throws -> [UInt8] {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let data = Data(base64Encoded: body) else { throw CocoaError(.coderReadCorrupt) }
        return Array(data)
    }
}
