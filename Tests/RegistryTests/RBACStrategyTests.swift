import APIMachinery
import Foundation
@testable import Registry
import Storage
import XCTest

/// Roles, ClusterRoles and their bindings: upstream's defaults, validation messages and tables.
final class RBACStrategyTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func testRuleValidation() {
        let role = json("""
        {"metadata":{"name":"r","namespace":"ns"},"rules":[
          {"verbs":[],"apiGroups":[""],"resources":["pods"]},
          {"verbs":["get"],"nonResourceURLs":["/healthz"]},
          {"verbs":["get"]}]}
        """)
        XCTAssertEqual(create(RoleStrategy(), role).errors, [
            "rules[0].verbs: Required value: verbs must contain at least one value",
            "rules[1].nonResourceURLs: Invalid value: [/healthz]: namespaced rules cannot apply to non-resource URLs",
            "rules[2].apiGroups: Required value: resource rules must supply at least one api group",
            "rules[2].resources: Required value: resource rules must supply at least one resource",
        ])
        let clusterRole = json("""
        {"metadata":{"name":"c"},"rules":[{"verbs":["get"],"nonResourceURLs":["/healthz"]},
          {"verbs":["get"],"nonResourceURLs":["/x"],"resources":["pods"]}],"aggregationRule":{"clusterRoleSelectors":[]}}
        """)
        XCTAssertEqual(create(ClusterRoleStrategy(), clusterRole).errors, [
            "rules[1].nonResourceURLs: Invalid value: [/x]: rules cannot apply to both regular resources and non-resource URLs",
            "aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil",
        ])
    }

    func testBindingDefaultsAndValidation() {
        let binding = json("""
        {"metadata":{"name":"b","namespace":"ns"},"roleRef":{"kind":"Role","name":"r"},
         "subjects":[{"kind":"User","name":"alice"},{"kind":"ServiceAccount","name":"builder"},{"kind":"Robot","name":"x"}]}
        """)
        let (object, errors) = create(RoleBindingStrategy(), binding)
        XCTAssertEqual(object[path: "roleRef", "apiGroup"], "rbac.authorization.k8s.io")
        XCTAssertEqual(object["subjects"]?.arrayValue?[0]["apiGroup"], "rbac.authorization.k8s.io")
        XCTAssertNil(object["subjects"]?.arrayValue?[1]["apiGroup"])
        XCTAssertEqual(errors, [#"subjects[2].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group""#])

        let clusterBinding = json("""
        {"metadata":{"name":"cb"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":""},
         "subjects":[{"kind":"ServiceAccount","name":"builder"}]}
        """)
        XCTAssertEqual(create(ClusterRoleBindingStrategy(), clusterBinding).errors, [
            #"roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole""#,
            "roleRef.name: Required value",
            "subjects[0].namespace: Required value",
        ])
    }

    func testRoleRefCannotChange() {
        let old = json(#"{"metadata":{"name":"b","namespace":"ns"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r"}}"#)
        let new = modified(old) { $0[path: "roleRef", "name"] = "other" }
        XCTAssertEqual(update(RoleBindingStrategy(), new, old: old).errors, [
            #"roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"}: cannot change roleRef"#,
        ])
        XCTAssertEqual(update(RoleBindingStrategy(), modified(old) { $0[path: "metadata", "labels"] = ["a": "b"] }, old: old).errors, [])
    }

    func testTables() {
        XCTAssertEqual(RoleTable.columns.map(\.name), ["Name", "Created At"])
        XCTAssertEqual(RoleTable.cells(json(#"{"metadata":{"name":"r","creationTimestamp":"2024-01-02T03:04:05Z"}}"#), now: now),
                       ["r", "2024-01-02T03:04:05Z"])
        XCTAssertEqual(RoleBindingTable.columns.map(\.name), ["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"])
        XCTAssertEqual(RoleBindingTable.columns.map(\.priority), [0, 0, 0, 1, 1, 1])
        let binding = json("""
        {"metadata":{"name":"b"},"roleRef":{"kind":"ClusterRole","name":"view"},
         "subjects":[{"kind":"User","name":"alice"},{"kind":"User","name":"bob"},{"kind":"Group","name":"devs"},
                     {"kind":"ServiceAccount","name":"builder","namespace":"ci"}]}
        """)
        XCTAssertEqual(RoleBindingTable.cells(binding, now: now), ["b", "ClusterRole/view", "<unknown>", "alice, bob", "devs", "ci/builder"])
        XCTAssertEqual(ServiceAccountTable.cells(json(#"{"metadata":{"name":"sa"},"secrets":[{"name":"s"}]}"#), now: now),
                       ["sa", 1, "<unknown>"])
    }

    func testBootstrapPolicyIsValidAndLabelled() throws {
        let registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        defer { registry.stopWatches() }
        try registry.bootstrap()
        try registry.bootstrapRBAC()
        try registry.bootstrapRBAC()  // a second start finds them all
        let roles = registry.store(group: "rbac.authorization.k8s.io", plural: "clusterroles")!.list(namespace: nil).items
        let names = Set(roles.map { $0.object.meta.name })
        for name in ["cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery", "system:public-info-viewer"] {
            XCTAssertTrue(names.contains(name), name)
        }
        XCTAssertEqual(roles.count, BootstrapPolicy.clusterRoles.count + BootstrapPolicy.controllerRoles.count)
        for role in roles { XCTAssertEqual(role.object.meta.labels["kubernetes.io/bootstrapping"], "rbac-defaults") }
        let bindings = registry.store(group: "rbac.authorization.k8s.io", plural: "clusterrolebindings")!.list(namespace: nil).items
        XCTAssertEqual(bindings.count, BootstrapPolicy.clusterRoleBindings.count + BootstrapPolicy.controllerRoleBindings.count)
    }
}
