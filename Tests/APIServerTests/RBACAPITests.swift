import APIMachinery
@testable import APIServer
import Foundation
import HTTPServer
import Registry
import XCTest

/// `--authorization-mode=RBAC` through the handler: Roles and bindings seeded straight into the
/// registry (as a bootstrap would), requests acting as users through the Impersonate-* headers
/// (the anonymous test client is granted `impersonate` by a seeded ClusterRoleBinding).
final class RBACAPITests: XCTestCase {
    var api: InProcessAPI!
    var registry: Registry { api.server.registry }

    override func setUpWithError() throws {
        api = try InProcessAPI()
        try registry.bootstrapRBAC()
        registry.configureAuthorization(modes: [.rbac])
        // The aggregation controller is not running here: fill `view` as it would.
        let clusterRoles = registry.store(group: "rbac.authorization.k8s.io", plural: "clusterroles")!
        let aggregated = BootstrapPolicy.clusterRoles.first { $0.meta.name == "system:aggregate-to-view" }!
        var view = try clusterRoles.get(namespace: nil, name: "view").object
        view["rules"] = aggregated["rules"]
        _ = try clusterRoles.update(namespace: nil, name: "view", body: RequestBody(value: view), options: WriteOptions())
        try seed("clusterroles", ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "impersonator"],
                                  "rules": [["apiGroups": [""], "resources": ["users", "serviceaccounts"], "verbs": ["impersonate"]],
                                            ["apiGroups": [""], "resources": ["groups"], "verbs": ["impersonate"],
                                             "resourceNames": ["developers", "system:masters"]]]])
        try seed("clusterrolebindings", Self.binding("ClusterRoleBinding", "test-client-impersonates", role: ("ClusterRole", "impersonator"),
                                                     subject: ["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "system:anonymous"]))
        try seed("rolebindings", namespace: "default", Self.binding("RoleBinding", "alice-view", namespace: "default", role: ("ClusterRole", "view"),
                                                                    subject: ["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"]))
    }

    override func tearDown() { registry.stopWatches() }

    static func binding(_ kind: String, _ name: String, namespace: String? = nil, role: (kind: String, name: String), subject: JSON) -> JSON {
        var metadata: JSONObject = ["name": .string(name)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        return ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": .object(metadata),
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(role.kind), "name": .string(role.name)],
                "subjects": [subject]]
    }

    func seed(_ plural: String, namespace: String? = nil, _ object: JSON) throws {
        _ = try registry.store(group: "rbac.authorization.k8s.io", plural: plural)!.create(
            namespace: namespace, body: RequestBody(value: object), options: WriteOptions())
    }

    /// A request acting as `user` (with `groups`), or as the anonymous client itself when nil.
    func call(_ method: String, _ target: String, as user: String? = nil, groups: [String] = [], uid: String? = nil,
              body: JSON? = nil) -> InProcessAPI.Response {
        let parts = target.split(separator: "?", maxSplits: 1)
        var query: [(name: String, value: String)] = []
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                query.append((String(kv[0]), kv.count > 1 ? String(kv[1]).removingPercentEncoding ?? "" : ""))
            }
        }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let user { headers.append(("Impersonate-User", user)) }
        headers += groups.map { ("Impersonate-Group", $0) }
        if let uid { headers.append(("Impersonate-Uid", uid)) }
        let request = HTTPRequest(method: method, path: String(parts[0]), query: query, headers: headers,
                                  body: body.map { JSONWriter.encode($0) } ?? [])
        let response = api.server.handle(request)
        if case .stream(let stream) = response.body {
            stream.close()
            return InProcessAPI.Response(status: response.status, headers: response.headers, body: [])
        }
        let received = response.received()
        return InProcessAPI.Response(status: received.status, headers: received.headers, body: received.bodyBytes)
    }

    func testAViewerReadsAndWatchesButMayNotWrite() {
        XCTAssertEqual(call("GET", "/api/v1/namespaces/default/pods", as: "alice").status, 200)
        XCTAssertEqual(call("GET", "/api/v1/namespaces/default/pods?watch=true", as: "alice").status, 200)
        XCTAssertEqual(call("GET", "/api/v1/namespaces/default/configmaps/none", as: "alice").status, 404, "authorized, then not found")
        let create = call("POST", "/api/v1/namespaces/default/configmaps", as: "alice", body: InProcessAPI.configMap("c"))
        XCTAssertEqual(create.status, 403)
        XCTAssertEqual(create.json, [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": #"configmaps is forbidden: User "alice" cannot create resource "configmaps" in API group "" in the namespace "default""#,
            "reason": "Forbidden", "details": ["kind": "configmaps"], "code": 403,
        ])
        let secret = call("GET", "/api/v1/namespaces/default/secrets/token", as: "alice")
        XCTAssertEqual(secret.json["message"], #"secrets "token" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "default""#)
        XCTAssertEqual(secret.json["details"], ["name": "token", "kind": "secrets"])
        XCTAssertEqual(call("GET", "/api/v1/namespaces/kube-system/pods", as: "alice").json["message"],
                       #"pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "kube-system""#)
        let scale = call("PUT", "/apis/apps/v1/namespaces/default/statefulsets/web/scale", as: "alice", body: [:])
        XCTAssertEqual(scale.json["message"],
                       #"statefulsets.apps "web" is forbidden: User "alice" cannot update resource "statefulsets/scale" in API group "apps" in the namespace "default""#)
        XCTAssertEqual(scale.json["details"], ["name": "web", "group": "apps", "kind": "statefulsets"])
        XCTAssertEqual(call("GET", "/api/v1/nodes", as: "alice").json["message"],
                       #"nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope"#)
        // A watch of one object by field selector is asked about that name.
        XCTAssertEqual(call("GET", "/api/v1/namespaces/kube-system/configmaps?watch=1&fieldSelector=metadata.name%3Dx", as: "alice").json["message"],
                       #"configmaps "x" is forbidden: User "alice" cannot watch resource "configmaps" in API group "" in the namespace "kube-system""#)
    }

    func testAnonymousRequestsAndPaths() {
        XCTAssertEqual(call("GET", "/api/v1/namespaces/default/pods").json["message"],
                       #"pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default""#)
        XCTAssertEqual(call("GET", "/healthz").status, 200, "system:public-info-viewer")
        XCTAssertEqual(call("GET", "/version").status, 200)
        let discovery = call("GET", "/api")
        XCTAssertEqual(discovery.status, 403)
        XCTAssertEqual(discovery.json, [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": #"forbidden: User "system:anonymous" cannot get path "/api""#, "reason": "Forbidden", "details": [:], "code": 403,
        ])
        XCTAssertEqual(call("GET", "/apis/apps/v1", as: "alice").status, 200, "system:discovery for the authenticated")
        XCTAssertEqual(call("GET", "/metrics", as: "alice").json["message"], #"forbidden: User "alice" cannot get path "/metrics""#)
        XCTAssertEqual(call("POST", "/api", as: "alice").json["message"], #"forbidden: User "alice" cannot post path "/api""#)
    }

    func testImpersonationIsAuthorized() {
        let group = call("GET", "/api/v1/namespaces/default/pods", as: "alice", groups: ["ops"])
        XCTAssertEqual(group.status, 403)
        XCTAssertEqual(group.json["message"],
                       #"groups "ops" is forbidden: User "system:anonymous" cannot impersonate resource "groups" in API group "" at the cluster scope"#)
        XCTAssertEqual(call("GET", "/api/v1/namespaces/default/pods", as: "alice", groups: ["developers"]).status, 200)
        XCTAssertEqual(call("GET", "/api/v1/namespaces/default/pods", as: "alice", uid: "u-1").json["message"],
                       #"uids.authentication.k8s.io "u-1" is forbidden: User "system:anonymous" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope"#)
        // system:masters may do anything.
        XCTAssertEqual(call("POST", "/api/v1/namespaces/default/configmaps", as: "root", groups: ["system:masters"],
                            body: InProcessAPI.configMap("made")).status, 201)
        // A service account is impersonated as one (its namespace and name checked) and bound as one.
        XCTAssertEqual(call("GET", "/api/v1/namespaces/default/pods", as: "system:serviceaccount:default:builder").status, 403)
        XCTAssertNoThrow(try seed("rolebindings", namespace: "default", Self.binding(
            "RoleBinding", "builder-view", namespace: "default", role: ("ClusterRole", "view"), subject: ["kind": "ServiceAccount", "name": "builder"])))
        XCTAssertEqual(call("GET", "/api/v1/namespaces/default/pods", as: "system:serviceaccount:default:builder").status, 200)
    }

    func testCanIAnswersFromRBAC() {
        func canI(_ verb: String, _ resource: String, namespace: String = "default") -> JSON {
            call("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", as: "alice", body: [
                "spec": ["resourceAttributes": ["verb": .string(verb), "resource": .string(resource), "namespace": .string(namespace)]],
            ]).json["status"] ?? .null
        }
        XCTAssertEqual(canI("create", "pods"), ["allowed": false])
        XCTAssertEqual(canI("list", "pods"),
                       ["allowed": true, "reason": #"RBAC: allowed by RoleBinding "alice-view/default" of ClusterRole "view" to User "alice""#])
        XCTAssertEqual(canI("list", "pods", namespace: "kube-system"), ["allowed": false])
        let rules = call("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", as: "alice", body: ["spec": ["namespace": "default"]])
        XCTAssertEqual(rules.status, 201)
        let resourceRules = rules.json[path: "status", "resourceRules"]?.arrayValue ?? []
        XCTAssertTrue(resourceRules.contains { $0["resources"]?.arrayValue?.contains("pods") == true && $0["verbs"] == ["get", "list", "watch"] })
        XCTAssertFalse(resourceRules.contains { $0["verbs"]?.arrayValue?.contains("create") == true && $0["resources"]?.arrayValue?.contains("pods") == true })
        XCTAssertTrue((rules.json[path: "status", "nonResourceRules"]?.arrayValue ?? []).contains { $0["nonResourceURLs"]?.arrayValue?.contains("/api") == true })
        XCTAssertEqual(rules.json[path: "status", "incomplete"], false)
        // A SubjectAccessReview about alice, asked by an admin.
        let review = call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", as: "root", groups: ["system:masters"], body: [
            "spec": ["user": "alice", "resourceAttributes": ["verb": "delete", "resource": "pods", "namespace": "default"]],
        ])
        XCTAssertEqual(review.json["status"], ["allowed": false])
        XCTAssertEqual(call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", as: "alice", body: [
            "spec": ["user": "alice", "resourceAttributes": ["verb": "get", "resource": "pods"]],
        ]).status, 403, "only who may create subjectaccessreviews asks about others")
    }

    func testEscalationThroughTheAPI() throws {
        try seed("roles", namespace: "default", ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                                                 "metadata": ["name": "rbac-writer", "namespace": "default"],
                                                 "rules": [["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": ["create"]]]])
        try seed("rolebindings", namespace: "default", Self.binding("RoleBinding", "bob-writes", namespace: "default", role: ("Role", "rbac-writer"),
                                                                    subject: ["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "bob"]))
        let role: JSON = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "pod-admin"],
                          "rules": [["apiGroups": [""], "resources": ["pods"], "verbs": ["*"]]]]
        let refused = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", as: "bob", body: role)
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(refused.json["message"], """
            roles.rbac.authorization.k8s.io "pod-admin" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:
            {APIGroups:[""], Resources:["pods"], Verbs:["*"]}
            """)
        XCTAssertEqual(refused.json["details"], ["name": "pod-admin", "group": "rbac.authorization.k8s.io", "kind": "roles"])
        let binding = Self.binding("RoleBinding", "bob-views", namespace: "default", role: ("ClusterRole", "view"),
                                   subject: ["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "bob"])
        XCTAssertEqual(call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", as: "bob", body: binding).status, 403)
        // As an admin the same writes go through.
        XCTAssertEqual(call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", as: "root", groups: ["system:masters"], body: role).status, 201)
    }

    func testAlwaysDenyRefusesWithItsReason() {
        registry.configureAuthorization(modes: [.alwaysDeny])
        XCTAssertEqual(call("GET", "/api/v1/namespaces/default/pods").json["message"],
                       #"pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default": Everything is forbidden."#)
        registry.configureAuthorization(modes: [.alwaysAllow])
        XCTAssertEqual(call("GET", "/api/v1/namespaces/default/pods").status, 200)
    }
}
