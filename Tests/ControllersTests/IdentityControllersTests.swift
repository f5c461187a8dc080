import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

/// The serviceaccount controller, the root CA publisher and the clusterrole-aggregation controller.
final class IdentityControllersTests: XCTestCase {
    static let rootCA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    func start(_ controllers: [any Controller]) throws -> ControllerHarness {
        let h = try ControllerHarness()
        ControllerManager.start(controllers, context: h.context)
        return h
    }

    func testEveryNamespaceGetsTheDefaultAccountAgain() throws {
        let h = try start([ServiceAccountsController()])
        defer { h.registry.stopWatches() }
        for namespace in ResourceCatalog.initialNamespaces {
            XCTAssertTrue(waitUntil("default in \(namespace)") { h.get("serviceaccounts", "default", namespace: namespace) != nil })
        }
        try h.create("namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]], namespace: nil)
        XCTAssertTrue(waitUntil("default in team") { h.get("serviceaccounts", "default", namespace: "team") != nil })
        let first = try XCTUnwrap(h.get("serviceaccounts", "default", namespace: "team"))
        _ = try h.store("serviceaccounts").delete(namespace: "team", name: "default", options: DeleteOptions())
        XCTAssertTrue(waitUntil("default recreated") {
            (h.get("serviceaccounts", "default", namespace: "team")?.meta.uid).map { $0 != first.meta.uid } ?? false
        })
        // Other accounts are the users' own.
        try h.create("serviceaccounts", ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "mine"]], namespace: "team")
        _ = try h.store("serviceaccounts").delete(namespace: "team", name: "mine", options: DeleteOptions())
        XCTAssertNil(h.get("serviceaccounts", "mine", namespace: "team"))
    }

    func testRootCAConfigMapIsPublishedAndKept() throws {
        let h = try start([RootCACertPublisher(rootCA: Self.rootCA)])
        defer { h.registry.stopWatches() }
        XCTAssertTrue(waitUntil("kube-root-ca.crt") { h.get("configmaps", "kube-root-ca.crt") != nil })
        let map = try XCTUnwrap(h.get("configmaps", "kube-root-ca.crt"))
        XCTAssertEqual(map["data"], ["ca.crt": .string(Self.rootCA)])
        XCTAssertEqual(map.meta.annotations["kubernetes.io/description"], RootCACertPublisher.description)

        var tampered = map
        tampered["data"] = ["ca.crt": "x", "extra": "y"]
        _ = try h.store("configmaps").update(namespace: "default", name: "kube-root-ca.crt", body: RequestBody(value: tampered),
                                             options: WriteOptions())
        XCTAssertTrue(waitUntil("restored") { h.get("configmaps", "kube-root-ca.crt")?["data"] == ["ca.crt": .string(Self.rootCA)] })
        _ = try h.store("configmaps").delete(namespace: "default", name: "kube-root-ca.crt", options: DeleteOptions())
        XCTAssertTrue(waitUntil("recreated") { h.get("configmaps", "kube-root-ca.crt") != nil })
    }

    func testAggregatedClusterRoleCollectsSelectedRules() throws {
        let h = try start([ClusterRoleAggregationController()])
        defer { h.registry.stopWatches() }
        func role(_ name: String, label: String?, rules: [JSON], aggregate: String? = nil) -> JSON {
            var role: JSON = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": .string(name)]]
            if let label { role[path: "metadata", "labels"] = .object([label: "true"]) }
            if let aggregate {
                role["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": .object([aggregate: "true"])]]]
            } else {
                role["rules"] = .array(rules)
            }
            return role
        }
        let pods: JSON = ["apiGroups": [""], "resources": ["pods"], "verbs": ["get"]]
        let secrets: JSON = ["apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]]
        try h.create("clusterroles", role("b-part", label: "example.com/aggregate-to-reader", rules: [pods, secrets]),
                     namespace: nil, group: "rbac.authorization.k8s.io")
        try h.create("clusterroles", role("a-part", label: "example.com/aggregate-to-reader", rules: [pods]),
                     namespace: nil, group: "rbac.authorization.k8s.io")
        try h.create("clusterroles", role("other", label: nil, rules: [["apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]]]),
                     namespace: nil, group: "rbac.authorization.k8s.io")
        try h.create("clusterroles", role("reader", label: nil, rules: [], aggregate: "example.com/aggregate-to-reader"),
                     namespace: nil, group: "rbac.authorization.k8s.io")
        func rules() -> JSON? { h.get("clusterroles", "reader", namespace: nil, group: "rbac.authorization.k8s.io")?["rules"] }
        // a-part's rule first (name order), b-part's repeat of it once.
        XCTAssertTrue(waitUntil("aggregated") { rules() == [pods, secrets] })
        let nodes: JSON = ["apiGroups": [""], "resources": ["nodes"], "verbs": ["list"]]
        try h.create("clusterroles", role("c-part", label: "example.com/aggregate-to-reader", rules: [nodes]),
                     namespace: nil, group: "rbac.authorization.k8s.io")
        XCTAssertTrue(waitUntil("a new part joins") { rules() == [pods, secrets, nodes] })
    }

    /// Signs nothing: legacy tokens read back as their claims.
    struct LegacyIssuer: ServiceAccountTokenIssuer {
        let issuer = "https://kubernetes.default.svc.cluster.local"
        var apiAudiences: [String] { [issuer] }
        func generateToken(_ claims: ServiceAccountTokenClaims) throws -> String { "bound" }
        func generateLegacyToken(_ claims: LegacyServiceAccountTokenClaims) throws -> String {
            "legacy:\(claims.namespace):\(claims.serviceAccountName):\(claims.serviceAccountUID):\(claims.secretName)"
        }
        func verifyToken(_ token: String, audiences: [String], now: Date) throws(TokenRejection) -> ServiceAccountTokenClaims { throw .notOurs }
        func jwks() throws -> JSON { ["keys": []] }
        func openIDConfiguration(jwksURI: String) -> JSON { [:] }
    }

    func testTokenSecretsAreFilledAndGoWithTheirAccount() throws {
        let h = try ControllerHarness()
        defer { h.registry.stopWatches() }
        h.registry.connectTokenIssuer(LegacyIssuer())
        ControllerManager.start([TokensController(rootCA: Self.rootCA)], context: h.context)
        let account = try h.create("serviceaccounts", ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "ci"]])
        func secret(_ name: String, for account: String) -> JSON {
            ["apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
             "metadata": ["name": .string(name), "annotations": ["kubernetes.io/service-account.name": .string(account)]]]
        }
        try h.create("secrets", secret("ci-token", for: "ci"))
        func decoded(_ key: String) -> String? {
            h.get("secrets", "ci-token")?[path: "data", key]?.stringValue.flatMap { Data(base64Encoded: $0) }
                .map { String(decoding: $0, as: UTF8.self) }
        }
        XCTAssertTrue(waitUntil("token filled") { decoded("token") != nil })
        XCTAssertEqual(decoded("token"), "legacy:default:ci:\(account.meta.uid):ci-token")
        XCTAssertEqual(decoded("ca.crt"), Self.rootCA)
        XCTAssertEqual(decoded("namespace"), "default")
        XCTAssertEqual(h.get("secrets", "ci-token")?.meta.annotations["kubernetes.io/service-account.uid"], account.meta.uid)

        // A Secret for an account that does not exist is deleted, and so are a deleted account's.
        try h.create("secrets", secret("orphan-token", for: "nobody"))
        XCTAssertTrue(waitUntil("orphan deleted") { h.get("secrets", "orphan-token") == nil })
        _ = try h.store("serviceaccounts").delete(namespace: "default", name: "ci", options: DeleteOptions())
        XCTAssertTrue(waitUntil("token secret deleted with its account") { h.get("secrets", "ci-token") == nil })
    }
}
