import APIMachinery
@testable import Registry
import Storage
import XCTest

/// Covers and the escalation message (component-helpers' rbac validation, pkg/registry/rbac), and
/// the checks on the RBAC stores for a requester.
final class RBACEscalationTests: XCTestCase {
    func testCoverageBreaksRulesDown() {
        let owned = [PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["pods", "*/status"]),
                     PolicyRule(verbs: ["get"], nonResourceURLs: ["/apis/*"])]
        XCTAssertEqual(RBACEscalation.uncovered(owned: owned, requested: [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods", "services/status"])]), [])
        XCTAssertEqual(RBACEscalation.uncovered(owned: owned, requested: [PolicyRule(verbs: ["get", "create"], apiGroups: [""], resources: ["pods"])]),
                       [PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["pods"])])
        XCTAssertEqual(RBACEscalation.uncovered(owned: owned, requested: [PolicyRule(verbs: ["get"], nonResourceURLs: ["/apis/apps", "/metrics"])]),
                       [PolicyRule(verbs: ["get"], nonResourceURLs: ["/metrics"])])
        // A named grant does not cover an unnamed one; an unnamed one covers any name.
        let named = [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["a"])]
        XCTAssertEqual(RBACEscalation.uncovered(owned: named, requested: [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"])]).count, 1)
        XCTAssertEqual(RBACEscalation.uncovered(owned: owned, requested: [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["x"])]), [])
        XCTAssertEqual(RBACEscalation.uncovered(owned: [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])],
                                                requested: [PolicyRule(verbs: ["get"], nonResourceURLs: ["/x"])]).count, 1,
                       "resource rules never cover URLs")
    }

    func testTheMessageCompactsAndSortsWhatIsMissing() {
        let user = UserInfo(username: "bob", groups: ["devs", "system:authenticated"])
        let missing = RBACEscalation.uncovered(owned: [], requested: [
            PolicyRule(verbs: ["get", "create"], apiGroups: [""], resources: ["pods"]),
            PolicyRule(verbs: ["get"], apiGroups: ["apps"], resources: ["deployments"], resourceNames: ["web"]),
            PolicyRule(verbs: ["get"], nonResourceURLs: ["/metrics"]),
        ])
        XCTAssertEqual(RBACEscalation.message(user: user, missing: missing, resolutionErrors: []), """
            user "bob" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
            {APIGroups:[""], Resources:["pods"], Verbs:["get" "create"]}
            {APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["get"]}
            {NonResourceURLs:["/metrics"], Verbs:["get"]}
            """)
    }

    func testTheStoresRefuseEscalationForARequester() throws {
        let registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        defer { registry.stopWatches() }
        try registry.bootstrap()
        try registry.bootstrapRBAC()
        registry.configureAuthorization(modes: [.rbac])
        let roles = registry.store(group: "rbac.authorization.k8s.io", plural: "roles")!
        let bindings = registry.store(group: "rbac.authorization.k8s.io", plural: "rolebindings")!
        let writer = RBACAuthorizerTests.role("Role", "rbac-writer", namespace: "default", [
            ["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": ["create", "update"]],
            ["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]],
        ])
        _ = try roles.create(namespace: "default", body: RequestBody(value: writer), options: WriteOptions())
        _ = try bindings.create(namespace: "default", body: RequestBody(value: RBACAuthorizerTests.binding(
            "RoleBinding", "bob-writes", namespace: "default", role: ("Role", "rbac-writer"), [RBACAuthorizerTests.user("bob")])),
            options: WriteOptions())
        var asBob = WriteOptions()
        asBob.requester = UserInfo(username: "bob", groups: ["system:authenticated"])

        let secrets = RBACAuthorizerTests.role("Role", "secrets", namespace: "default", [["apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]]])
        XCTAssertThrowsError(try roles.create(namespace: "default", body: RequestBody(value: secrets), options: asBob)) {
            let error = $0 as? APIError
            XCTAssertEqual(error?.code, 403)
            XCTAssertEqual(error?.message, """
                roles.rbac.authorization.k8s.io "secrets" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:
                {APIGroups:[""], Resources:["secrets"], Verbs:["get"]}
                """)
        }
        let configs = RBACAuthorizerTests.role("Role", "configs", namespace: "default", [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]]])
        XCTAssertNoThrow(try roles.create(namespace: "default", body: RequestBody(value: configs), options: asBob), "what bob holds he may grant")
        // Binding a role bob does not hold (cluster-wide view of secrets) is refused; one he holds is not.
        let bindView = RBACAuthorizerTests.binding("RoleBinding", "x", namespace: "default", role: ("ClusterRole", "cluster-admin"), [RBACAuthorizerTests.user("eve")])
        XCTAssertThrowsError(try bindings.create(namespace: "default", body: RequestBody(value: bindView), options: asBob)) {
            XCTAssertEqual(($0 as? APIError)?.message.hasPrefix(#"rolebindings.rbac.authorization.k8s.io "x" is forbidden: user "bob""#), true)
        }
        let bindConfigs = RBACAuthorizerTests.binding("RoleBinding", "y", namespace: "default", role: ("Role", "configs"), [RBACAuthorizerTests.user("eve")])
        XCTAssertNoThrow(try bindings.create(namespace: "default", body: RequestBody(value: bindConfigs), options: asBob))
        let ghost = RBACAuthorizerTests.binding("RoleBinding", "z", namespace: "default", role: ("Role", "nope"), [RBACAuthorizerTests.user("eve")])
        XCTAssertThrowsError(try bindings.create(namespace: "default", body: RequestBody(value: ghost), options: asBob)) {
            XCTAssertEqual(($0 as? APIError)?.message, #"rolebindings.rbac.authorization.k8s.io "z" is forbidden: role.rbac.authorization.k8s.io "nope" not found"#)
        }
        // `escalate` and `bind` lift the checks; system:masters and the server's own writes never meet them.
        _ = try roles.create(namespace: "default", body: RequestBody(value: RBACAuthorizerTests.role("Role", "escalator", namespace: "default", [
            ["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["escalate"]],
            ["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["cluster-admin"]],
        ])), options: WriteOptions())
        _ = try bindings.create(namespace: "default", body: RequestBody(value: RBACAuthorizerTests.binding(
            "RoleBinding", "bob-escalates", namespace: "default", role: ("Role", "escalator"), [RBACAuthorizerTests.user("bob")])),
            options: WriteOptions())
        XCTAssertNoThrow(try roles.create(namespace: "default", body: RequestBody(value: secrets), options: asBob))
        XCTAssertNoThrow(try bindings.create(namespace: "default", body: RequestBody(value: bindView), options: asBob))
        var asMaster = WriteOptions()
        asMaster.requester = UserInfo(username: "root", groups: ["system:masters"])
        var big = RBACAuthorizerTests.role("Role", "big", namespace: "default", [["apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]]])
        XCTAssertNoThrow(try roles.create(namespace: "default", body: RequestBody(value: big), options: asMaster))
        big["kind"] = "ClusterRole"
        big[path: "metadata", "namespace"] = nil
        let clusterRoles = registry.store(group: "rbac.authorization.k8s.io", plural: "clusterroles")!
        XCTAssertThrowsError(try clusterRoles.create(namespace: nil, body: RequestBody(value: big), options: asBob),
                             "bob's escalate covers Roles in default only") {
            XCTAssertEqual(($0 as? APIError)?.code, 403)
        }
    }
}
