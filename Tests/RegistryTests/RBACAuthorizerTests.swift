import APIMachinery
@testable import Registry
import Storage
import XCTest

/// RBAC evaluation as upstream's rbac authorizer and rule resolver: rule matching, subjects,
/// bindings in namespaces, the allow reason, missing roles, and the cache following writes.
final class RBACAuthorizerTests: XCTestCase {
    var registry: Registry!
    var rbac: RBACAuthorizer { registry.rbacAuthorizer }

    override func setUpWithError() throws {
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        try registry.bootstrap()
        try registry.bootstrapRBAC()
        try registry.store(group: "", plural: "namespaces")!.create(
            namespace: nil, body: RequestBody(value: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]]),
            options: WriteOptions())
    }

    override func tearDown() { registry.stopWatches() }

    static func role(_ kind: String, _ name: String, namespace: String? = nil, _ rules: [JSON]) -> JSON {
        var metadata: JSONObject = ["name": .string(name)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        return ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": .object(metadata), "rules": .array(rules)]
    }

    static func binding(_ kind: String, _ name: String, namespace: String? = nil, role: (kind: String, name: String), _ subjects: [JSON]) -> JSON {
        var metadata: JSONObject = ["name": .string(name)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        return ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": .object(metadata),
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(role.kind), "name": .string(role.name)],
                "subjects": .array(subjects)]
    }

    static func user(_ name: String) -> JSON { ["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": .string(name)] }

    func seed(_ plural: String, namespace: String? = nil, _ object: JSON) throws {
        _ = try registry.store(group: "rbac.authorization.k8s.io", plural: plural)!.create(
            namespace: namespace, body: RequestBody(value: object), options: WriteOptions())
    }

    func ask(_ user: UserInfo, _ verb: String, _ resource: String, group: String = "", sub: String = "", name: String = "",
             namespace: String = "") -> Authorization {
        rbac.authorize(AuthorizationAttributes(user: user, verb: verb, namespace: namespace, apiGroup: group, resource: resource,
                                               subresource: sub, name: name))
    }

    let alice = UserInfo(username: "alice", groups: ["system:authenticated"])

    func testRuleMatching() {
        let rule = PolicyRule(verbs: ["get", "list"], apiGroups: ["", "apps"], resources: ["pods", "deployments/scale", "*/status"],
                              resourceNames: [])
        func attrs(_ verb: String, _ group: String, _ resource: String, _ sub: String = "", name: String = "") -> AuthorizationAttributes {
            AuthorizationAttributes(user: alice, verb: verb, apiGroup: group, resource: resource, subresource: sub, name: name)
        }
        XCTAssertTrue(rule.allows(attrs("get", "", "pods")))
        XCTAssertFalse(rule.allows(attrs("watch", "", "pods")))
        XCTAssertFalse(rule.allows(attrs("get", "batch", "pods")))
        XCTAssertFalse(rule.allows(attrs("get", "", "pods", "log")), "a resource does not grant its subresources")
        XCTAssertTrue(rule.allows(attrs("get", "apps", "deployments", "scale")))
        XCTAssertFalse(rule.allows(attrs("get", "apps", "deployments")))
        XCTAssertTrue(rule.allows(attrs("list", "apps", "statefulsets", "status")), "*/status matches any resource's status")
        let named = PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["configmaps"], resourceNames: ["settings"])
        XCTAssertTrue(named.allows(attrs("update", "", "configmaps", name: "settings")))
        XCTAssertFalse(named.allows(attrs("update", "", "configmaps", name: "other")))
        XCTAssertFalse(named.allows(attrs("list", "", "configmaps")))
        let urls = PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/*"])
        XCTAssertTrue(urls.allows(AuthorizationAttributes(user: alice, verb: "get", path: "/healthz")))
        XCTAssertFalse(urls.allows(AuthorizationAttributes(user: alice, verb: "get", path: "/healthz/etcd")))
        XCTAssertTrue(urls.allows(AuthorizationAttributes(user: alice, verb: "get", path: "/apis/apps/v1")))
        XCTAssertFalse(urls.allows(AuthorizationAttributes(user: alice, verb: "post", path: "/apis/apps/v1")))
        XCTAssertFalse(urls.allows(attrs("get", "", "healthz")), "URL rules grant no resources")
    }

    func testBindingsGrantTheirRolesRules() throws {
        try seed("clusterroles", Self.role("ClusterRole", "pod-reader", [["apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]]]))
        try seed("rolebindings", namespace: "team", Self.binding("RoleBinding", "alice-reads", namespace: "team",
                                                                 role: ("ClusterRole", "pod-reader"), [Self.user("alice")]))
        let allowed = ask(alice, "list", "pods", namespace: "team")
        XCTAssertEqual(allowed, Authorization(.allow, reason: #"RBAC: allowed by RoleBinding "alice-reads/team" of ClusterRole "pod-reader" to User "alice""#))
        XCTAssertEqual(ask(alice, "list", "pods", namespace: "default").decision, .noOpinion, "a RoleBinding grants in its namespace only")
        XCTAssertEqual(ask(alice, "list", "pods").decision, .noOpinion)
        XCTAssertEqual(ask(alice, "create", "pods", namespace: "team"), Authorization(.noOpinion))
        // Group and ClusterRoleBinding.
        try seed("clusterrolebindings", Self.binding("ClusterRoleBinding", "auditors", role: ("ClusterRole", "pod-reader"),
                                                    [["kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "auditors"]]))
        let auditor = UserInfo(username: "carol", groups: ["auditors", "system:authenticated"])
        XCTAssertEqual(ask(auditor, "get", "pods", name: "x", namespace: "default").reason,
                       #"RBAC: allowed by ClusterRoleBinding "auditors" of ClusterRole "pod-reader" to Group "auditors""#)
    }

    func testServiceAccountSubjects() throws {
        try seed("roles", namespace: "team", Self.role("Role", "lister", namespace: "team", [["apiGroups": [""], "resources": ["pods"], "verbs": ["list"]]]))
        // No namespace on the subject: the binding's own.
        try seed("rolebindings", namespace: "team", Self.binding("RoleBinding", "builder", namespace: "team", role: ("Role", "lister"),
                                                                 [["kind": "ServiceAccount", "name": "builder"]]))
        let builder = UserInfo(username: "system:serviceaccount:team:builder", groups: ["system:serviceaccounts", "system:serviceaccounts:team"])
        XCTAssertEqual(ask(builder, "list", "pods", namespace: "team").reason,
                       #"RBAC: allowed by RoleBinding "builder/team" of Role "lister" to ServiceAccount "builder/team""#)
        let other = UserInfo(username: "system:serviceaccount:default:builder", groups: ["system:serviceaccounts"])
        XCTAssertEqual(ask(other, "list", "pods", namespace: "team").decision, .noOpinion)
    }

    func testAMissingRoleIsTheReasonAndOtherRulesStillCount() throws {
        try seed("rolebindings", namespace: "team", Self.binding("RoleBinding", "ghost", namespace: "team", role: ("Role", "gone"), [Self.user("alice")]))
        XCTAssertEqual(ask(alice, "get", "pods", namespace: "team"),
                       Authorization(.noOpinion, reason: #"RBAC: role.rbac.authorization.k8s.io "gone" not found"#))
        let rules = rbac.rules(for: alice, namespace: "team")
        XCTAssertEqual(rules.evaluationError, #"role.rbac.authorization.k8s.io "gone" not found"#)
        // system:basic-user and system:discovery (bootstrap) still apply to an authenticated user.
        XCTAssertTrue(rules.resourceRules.contains { $0.resources.contains("selfsubjectaccessreviews") })
        XCTAssertTrue(rules.nonResourceRules.contains { $0.nonResourceURLs.contains("/apis/*") })
    }

    func testTheCacheFollowsWritesAndDeletes() throws {
        XCTAssertEqual(ask(alice, "get", "secrets", namespace: "team").decision, .noOpinion)
        try seed("clusterroles", Self.role("ClusterRole", "secret-reader", [["apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]]]))
        try seed("clusterrolebindings", Self.binding("ClusterRoleBinding", "alice-secrets", role: ("ClusterRole", "secret-reader"), [Self.user("alice")]))
        XCTAssertEqual(ask(alice, "get", "secrets", namespace: "team").decision, .allow)
        _ = try registry.store(group: "rbac.authorization.k8s.io", plural: "clusterrolebindings")!.delete(
            namespace: nil, name: "alice-secrets", options: DeleteOptions())
        XCTAssertEqual(ask(alice, "get", "secrets", namespace: "team").decision, .noOpinion)
    }

    func testTheChainPutsSystemMastersFirstAndJoinsReasons() {
        let masters = UserInfo(username: "root", groups: ["system:masters"])
        let deny = AuthorizerChain(modes: [.alwaysDeny], rbac: nil)
        XCTAssertEqual(deny.authorize(AuthorizationAttributes(user: masters, verb: "delete", resource: "nodes")).decision, .allow)
        XCTAssertEqual(deny.authorize(AuthorizationAttributes(user: alice, verb: "get", resource: "nodes")),
                       Authorization(.noOpinion, reason: "Everything is forbidden."))
        let chain = AuthorizerChain(modes: [.rbac, .alwaysAllow], rbac: rbac)
        XCTAssertEqual(chain.authorize(AuthorizationAttributes(user: alice, verb: "get", resource: "nodes")).decision, .allow)
        XCTAssertEqual(chain.rules(for: alice, namespace: "team").resourceRules.last,
                       PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]))
    }

    func testControllerRolesAreBoundToTheirAccounts() throws {
        let statefulSets = UserInfo(username: "system:serviceaccount:kube-system:statefulset-controller",
                                    groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"])
        XCTAssertEqual(ask(statefulSets, "create", "pods", namespace: "team").reason,
                       #"RBAC: allowed by ClusterRoleBinding "system:controller:statefulset-controller" of ClusterRole "system:controller:statefulset-controller" to ServiceAccount "statefulset-controller/kube-system""#)
        XCTAssertEqual(ask(statefulSets, "update", "statefulsets", group: "apps", sub: "status", name: "web", namespace: "team").decision, .allow)
        XCTAssertEqual(ask(statefulSets, "get", "secrets", name: "s", namespace: "team").decision, .noOpinion)
        let disruption = UserInfo(username: "system:serviceaccount:kube-system:disruption-controller", groups: ["system:serviceaccounts"])
        XCTAssertEqual(ask(disruption, "get", "deployments", group: "apps", sub: "scale", name: "d", namespace: "team").decision, .allow,
                       "*/scale in any group")
        let labelled = BootstrapPolicy.controllerRoles + BootstrapPolicy.controllerRoleBindings
        XCTAssertTrue(labelled.allSatisfy { $0.meta.label("kubernetes.io/bootstrapping") == "rbac-defaults" })
    }

    func testModesParseAsKubeAPIServerChecksThem() throws {
        XCTAssertEqual(try AuthorizationMode.parseList("RBAC"), [.rbac])
        XCTAssertEqual(try AuthorizationMode.parseList("AlwaysAllow,RBAC"), [.alwaysAllow, .rbac])
        XCTAssertThrowsError(try AuthorizationMode.parseList("")) { XCTAssertEqual("\($0)", "at least one authorization-mode must be passed") }
        XCTAssertThrowsError(try AuthorizationMode.parseList("RBAC,rbac")) { XCTAssertEqual("\($0)", #"authorization-mode "rbac" is not a valid mode"#) }
        XCTAssertThrowsError(try AuthorizationMode.parseList("RBAC,RBAC")) {
            XCTAssertEqual("\($0)", #"authorization-mode ["RBAC" "RBAC"] has mode specified more than once"#)
        }
    }
}
