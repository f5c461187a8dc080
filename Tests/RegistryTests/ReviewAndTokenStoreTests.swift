import APIMachinery
import Foundation
@testable import Registry
import Storage
import XCTest

/// The reviews (answered as kube-apiserver with AlwaysAllow answers an anonymous request) and the
/// TokenRequest subresource's claims, defaults and refusals.
final class ReviewAndTokenStoreTests: XCTestCase {
    var registry: Registry!

    /// Records the claims it is asked to sign instead of signing them.
    final class RecordingIssuer: ServiceAccountTokenIssuer, @unchecked Sendable {
        var claims: [ServiceAccountTokenClaims] = []
        let issuer = "https://kubernetes.default.svc.cluster.local"
        var apiAudiences: [String] { [issuer] }
        func generateToken(_ claims: ServiceAccountTokenClaims) throws -> String { self.claims.append(claims); return "signed" }
        func verifyToken(_ token: String, audiences: [String], now: Date) throws(TokenRejection) -> ServiceAccountTokenClaims {
            throw .notOurs
        }
        func generateLegacyToken(_ claims: LegacyServiceAccountTokenClaims) throws -> String { "legacy-\(claims.secretName)" }
        func jwks() throws -> JSON { ["keys": []] }
        func openIDConfiguration(jwksURI: String) -> JSON { [:] }
    }
    let issuer = RecordingIssuer()

    override func setUpWithError() throws {
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        try registry.bootstrap()
        registry.connectTokenIssuer(issuer)
        let account: JSON = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "builder"]]
        _ = try registry.store(group: "", plural: "serviceaccounts")!.create(namespace: "default", body: RequestBody(value: account),
                                                                            options: WriteOptions())
    }

    override func tearDown() { registry.stopWatches() }

    func review(_ resource: APIResource) -> ReviewStore { ReviewStore(resource: resource)! }

    func testSelfSubjectReviewAnswersTheAnonymousUser() throws {
        let answer = try review(ResourceCatalog.selfSubjectReviews).create(
            namespace: nil, body: ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"], user: .anonymous, authorizer: .alwaysAllow)
        XCTAssertEqual(answer[path: "status", "userInfo"], ["username": "system:anonymous", "groups": ["system:unauthenticated"]])
    }

    func testAccessReviewsAllowAsAlwaysAllow() throws {
        let body: JSON = ["apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                          "spec": ["resourceAttributes": ["verb": "create", "group": "apps", "resource": "deployments", "namespace": "default"]]]
        let answer = try review(ResourceCatalog.selfSubjectAccessReviews).create(namespace: nil, body: body, user: .anonymous, authorizer: .alwaysAllow)
        XCTAssertEqual(answer["status"], ["allowed": true])
        XCTAssertEqual(answer[path: "spec", "resourceAttributes", "resource"], "deployments")
        let rules = try review(ResourceCatalog.selfSubjectRulesReviews).create(
            namespace: nil, body: ["spec": ["namespace": "default"]], user: .anonymous, authorizer: .alwaysAllow)
        XCTAssertEqual(rules[path: "status", "resourceRules"], [["verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]]])
        XCTAssertThrowsError(try review(ResourceCatalog.selfSubjectRulesReviews).create(namespace: nil, body: ["spec": [:]], user: .anonymous, authorizer: .alwaysAllow)) {
            XCTAssertEqual(($0 as? APIError)?.message, "no namespace on request")
        }
    }

    func testAccessReviewValidation() {
        XCTAssertThrowsError(try review(ResourceCatalog.subjectAccessReviews).create(namespace: nil, body: ["spec": [:]], user: .anonymous, authorizer: .alwaysAllow)) {
            let error = $0 as? APIError
            XCTAssertEqual(error?.code, 422)
            XCTAssertEqual(error?.details?.causes.map(\.field), ["spec.resourceAttributes", "spec.user"])
            XCTAssertEqual(error?.message, #"SubjectAccessReview.authorization.k8s.io "" is invalid: [spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified, spec.user: Invalid value: "": at least one of user or group must be specified]"#)
        }
        let local: JSON = ["spec": ["user": "alice", "resourceAttributes": ["namespace": "other", "verb": "get"]]]
        XCTAssertThrowsError(try review(ResourceCatalog.localSubjectAccessReviews).create(namespace: "team", body: local, user: .anonymous, authorizer: .alwaysAllow)) {
            XCTAssertEqual(($0 as? APIError)?.details?.causes.first?.message, #"Invalid value: "other": must match metadata.namespace"#)
        }
        XCTAssertNil(ReviewStore(resource: ResourceCatalog.pods))
    }

    func testTokenRequestDefaultsAndClaims() throws {
        let tokens = try XCTUnwrap(registry.tokenRequests)
        let answer = try tokens.create(namespace: "default", name: "builder", body: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest"])
        XCTAssertEqual(answer[path: "status", "token"], "signed")
        XCTAssertEqual(answer[path: "spec", "expirationSeconds"], 3600)
        XCTAssertEqual(answer[path: "spec", "audiences"], ["https://kubernetes.default.svc.cluster.local"])
        XCTAssertEqual(answer[path: "metadata", "name"], "builder")
        let claims = try XCTUnwrap(issuer.claims.last)
        XCTAssertEqual(claims.subject, "system:serviceaccount:default:builder")
        XCTAssertEqual(claims.expiresAt.timeIntervalSince(claims.issuedAt), 3600)
        let stored = try registry.store(group: "", plural: "serviceaccounts")!.get(namespace: "default", name: "builder").object
        XCTAssertEqual(claims.serviceAccount.uid, stored.meta.uid)
        XCTAssertNil(claims.pod)
    }

    func testTokenRequestRefusals() throws {
        let tokens = try XCTUnwrap(registry.tokenRequests)
        XCTAssertThrowsError(try tokens.create(namespace: "default", name: "nobody", body: [:])) {
            XCTAssertEqual(($0 as? APIError)?.message, #"serviceaccounts "nobody" not found"#)
            XCTAssertEqual(($0 as? APIError)?.code, 404)
        }
        XCTAssertThrowsError(try tokens.create(namespace: "default", name: "builder", body: ["spec": ["expirationSeconds": 60]])) {
            XCTAssertEqual(($0 as? APIError)?.message,
                           #"TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"#)
        }
        let badBinding: JSON = ["spec": ["boundObjectRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "x"]]]
        XCTAssertThrowsError(try tokens.create(namespace: "default", name: "builder", body: badBinding)) {
            XCTAssertEqual(($0 as? APIError)?.message, "cannot bind token to object of type apps/v1, Kind=Deployment")
        }
        let missingPod: JSON = ["spec": ["boundObjectRef": ["apiVersion": "v1", "kind": "Pod", "name": "gone"]]]
        XCTAssertThrowsError(try tokens.create(namespace: "default", name: "builder", body: missingPod)) {
            XCTAssertEqual(($0 as? APIError)?.message, #"pods "gone" not found"#)
        }
    }

    func testPodBoundProjectedTokenIsExtendedWithWarnAfter() throws {
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web"],
                         "spec": ["serviceAccountName": "builder", "containers": [["name": "c", "image": "nginx"]]]]
        let created = try registry.store(group: "", plural: "pods")!.create(namespace: "default", body: RequestBody(value: pod),
                                                                            options: WriteOptions()).object
        let body: JSON = ["spec": ["expirationSeconds": 3607,
                                   "boundObjectRef": ["apiVersion": "v1", "kind": "Pod", "name": "web", "uid": .string(created.meta.uid)]]]
        let answer = try XCTUnwrap(registry.tokenRequests).create(namespace: "default", name: "builder", body: body)
        let claims = try XCTUnwrap(issuer.claims.last)
        XCTAssertEqual(claims.pod, .init(name: "web", uid: created.meta.uid))
        XCTAssertEqual(claims.expiresAt.timeIntervalSince(claims.issuedAt), 365 * 24 * 3600)
        XCTAssertEqual(claims.warnAfter?.timeIntervalSince(claims.issuedAt), 3607)
        // The answer states the requested expiry, not the extended one.
        let expiry = try XCTUnwrap(Timestamp.parse(answer[path: "status", "expirationTimestamp"]?.stringValue ?? ""))
        XCTAssertEqual(expiry.timeIntervalSince(claims.issuedAt), 3607, accuracy: 1)

        let other: JSON = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "other"]]
        _ = try registry.store(group: "", plural: "serviceaccounts")!.create(namespace: "default", body: RequestBody(value: other),
                                                                            options: WriteOptions())
        XCTAssertThrowsError(try XCTUnwrap(registry.tokenRequests).create(
            namespace: "default", name: "other", body: ["spec": ["boundObjectRef": ["apiVersion": "v1", "kind": "Pod", "name": "web"]]])) {
            XCTAssertEqual(($0 as? APIError)?.message,
                           #"cannot bind token for serviceaccount "other" to pod running with different serviceaccount name."#)
        }
        let wrongUID: JSON = ["spec": ["boundObjectRef": ["apiVersion": "v1", "kind": "Pod", "name": "web", "uid": "other"]]]
        XCTAssertThrowsError(try XCTUnwrap(registry.tokenRequests).create(namespace: "default", name: "builder", body: wrongUID)) {
            XCTAssertEqual(($0 as? APIError)?.code, 409)
        }
    }
}

/// The ServiceAccount admission reads the pod's account: its automountServiceAccountToken applies when
/// the pod does not say (shouldAutomount).
final class ServiceAccountAdmissionTests: XCTestCase {
    func testTheAccountsAutomountSettingAppliesUnlessThePodSays() throws {
        let registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        defer { registry.stopWatches() }
        try registry.bootstrap()
        let accounts = registry.store(group: "", plural: "serviceaccounts")!, pods = registry.store(group: "", plural: "pods")!
        for (name, automount) in [("quiet", false), ("default", true)] {
            let account: JSON = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(name)],
                                 "automountServiceAccountToken": .bool(automount)]
            _ = try accounts.create(namespace: "default", body: RequestBody(value: account), options: WriteOptions())
        }
        func volumes(account: String?, podSays: Bool?) throws -> [String] {
            var spec: JSONObject = ["containers": [["name": "c", "image": "nginx"]]]
            if let account { spec["serviceAccountName"] = .string(account) }
            if let podSays { spec["automountServiceAccountToken"] = .bool(podSays) }
            let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["generateName": "p-"], "spec": .object(spec)]
            let created = try pods.create(namespace: "default", body: RequestBody(value: pod), options: WriteOptions()).object
            return (created[path: "spec", "volumes"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        }
        XCTAssertEqual(try volumes(account: "quiet", podSays: nil), [])
        XCTAssertEqual(try volumes(account: "quiet", podSays: true).count, 1)
        XCTAssertEqual(try volumes(account: nil, podSays: nil).first?.hasPrefix("kube-api-access-"), true)
        XCTAssertEqual(try volumes(account: nil, podSays: false), [])
        // An account that does not exist (yet) does not stop the volume (the existence check is not made).
        XCTAssertEqual(try volumes(account: "missing", podSays: nil).count, 1)
    }

    func testThePodGetsItsAccountsImagePullSecretsUnlessItHasSome() throws {
        let registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        defer { registry.stopWatches() }
        try registry.bootstrap()
        let account: JSON = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "puller"],
                             "imagePullSecrets": [["name": "registry-creds"]]]
        _ = try registry.store(group: "", plural: "serviceaccounts")!.create(namespace: "default", body: RequestBody(value: account),
                                                                            options: WriteOptions())
        func pullSecrets(_ own: [String]) throws -> JSON? {
            var spec: JSONObject = ["serviceAccountName": "puller", "containers": [["name": "c", "image": "nginx"]]]
            if !own.isEmpty { spec["imagePullSecrets"] = .array(own.map { ["name": .string($0)] }) }
            let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["generateName": "p-"], "spec": .object(spec)]
            return try registry.store(group: "", plural: "pods")!.create(namespace: "default", body: RequestBody(value: pod),
                                                                         options: WriteOptions()).object[path: "spec", "imagePullSecrets"]
        }
        XCTAssertEqual(try pullSecrets([]), [["name": "registry-creds"]])
        XCTAssertEqual(try pullSecrets(["mine"]), [["name": "mine"]])
    }
}
