import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import XCTest

/// The controllers write as their own users (upstream's `--use-service-account-credentials`): the
/// write carries the user, is authorized with the API server's authorizer and its roles, and is
/// handed to the audit log as the request it stands for.
final class ControllerUserTests: XCTestCase {
    /// What the audit log is handed, kept for the test to read.
    final class RecordedRequests: InProcessRequestAuditor, @unchecked Sendable {
        struct Entry { var request: InProcessRequest; var status: Int; var error: APIError? }
        private let lock = NSLock()
        private var entries: [Entry] = []
        func audit(_ request: InProcessRequest, status: Int, response: JSON?, error: APIError?) {
            lock.lock(); entries.append(Entry(request: request, status: status, error: error)); lock.unlock()
        }
        var all: [Entry] { lock.lock(); defer { lock.unlock() }; return entries }
        func first(_ verb: String, _ resource: String, subresource: String = "", name: String) -> Entry? {
            all.first { $0.request.attributes.verb == verb && $0.request.attributes.resource == resource
                && $0.request.attributes.subresource == subresource && $0.request.attributes.name == name }
        }
    }

    func testStatefulSetPodCreateIsTheControllersServiceAccountsRequest() throws {
        let h = try StatefulSetHarness()
        let recorded = RecordedRequests()
        h.registry.auditInProcessRequests(with: recorded)
        try h.create(StatefulSetHarness.statefulSet("web", replicas: 1))
        // The request is recorded once answered, so after the pod is stored: waited for itself.
        h.waitUntil("web-0's create recorded") { recorded.first("create", "pods", name: "web-0") != nil }

        let create = try XCTUnwrap(recorded.first("create", "pods", name: "web-0"))
        XCTAssertEqual(create.status, 201)
        let user = create.request.attributes.user
        XCTAssertEqual(user.username, "system:serviceaccount:kube-system:statefulset-controller")
        XCTAssertEqual(user.groups, ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"])
        XCTAssertEqual(create.request.userAgent, "kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/kubelite/statefulset-controller")
        XCTAssertEqual(create.request.requestURI, "/api/v1/namespaces/default/pods")
        XCTAssertEqual(create.request.body?.meta.name, "web-0")

        // managedFields name the manager from the User-Agent, as upstream records kcm's writes.
        let pod = try XCTUnwrap(h.pod("web-0"))
        let managers = pod[path: "metadata", "managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue } ?? []
        XCTAssertEqual(managers, ["kube-controller-manager"])

        // The status write and the event go through the same client.
        h.waitUntil("status written") { recorded.first("update", "statefulsets", subresource: "status", name: "web") != nil }
        let status = try XCTUnwrap(recorded.first("update", "statefulsets", subresource: "status", name: "web"))
        XCTAssertEqual(status.request.requestURI, "/apis/apps/v1/namespaces/default/statefulsets/web/status")
        XCTAssertEqual(status.request.attributes.user.username, "system:serviceaccount:kube-system:statefulset-controller")
        h.waitUntil("event recorded") { recorded.all.contains { $0.request.attributes.resource == "events" } }
        let event = try XCTUnwrap(recorded.all.first { $0.request.attributes.resource == "events" })
        XCTAssertEqual(event.request.attributes.user.username, "system:serviceaccount:kube-system:statefulset-controller")
        XCTAssertEqual(event.request.body?[path: "source", "component"]?.stringValue, "statefulset-controller")
        XCTAssertEqual(event.request.body?["reportingComponent"]?.stringValue, "statefulset-controller")

        // The account exists, as kube-controller-manager's client builder makes it.
        let account = try h.store("", "serviceaccounts").get(namespace: "kube-system", name: "statefulset-controller").object
        XCTAssertEqual(account.meta.name, "statefulset-controller")
    }

    func testARoleWithoutCreatePodsMakesTheControllersCreateForbidden() throws {
        let h = try StatefulSetHarness()
        let recorded = RecordedRequests()
        h.registry.auditInProcessRequests(with: recorded)
        let roleName = "system:controller:statefulset-controller"
        let roles = h.store("rbac.authorization.k8s.io", "clusterroles")
        let original = try roles.get(namespace: nil, name: roleName).object
        var reduced = original
        reduced["rules"] = .array((original["rules"]?.arrayValue ?? []).map { rule in
            guard rule["resources"]?.arrayValue?.contains("pods") == true else { return rule }
            var kept = rule
            kept["verbs"] = .array((rule["verbs"]?.arrayValue ?? []).filter { $0 != "create" })
            return kept
        })
        _ = try roles.update(namespace: nil, name: roleName, body: RequestBody(value: reduced), options: WriteOptions())

        try h.create(StatefulSetHarness.statefulSet("web", replicas: 1))
        h.waitUntil("the create refused") { recorded.first("create", "pods", name: "web-0") != nil }
        let refused = try XCTUnwrap(recorded.first("create", "pods", name: "web-0"))
        XCTAssertEqual(refused.status, 403)
        let expected = "pods is forbidden: User \"system:serviceaccount:kube-system:statefulset-controller\" cannot create "
            + "resource \"pods\" in API group \"\" in the namespace \"default\""
        XCTAssertEqual(refused.error?.message, expected)
        XCTAssertEqual(refused.error?.reason, "Forbidden")
        h.waitUntil("a FailedCreate event") { h.events("web").contains { $0.reason == "FailedCreate" } }
        let event = try XCTUnwrap(h.events("web").first { $0.reason == "FailedCreate" })
        XCTAssertEqual(event.message, "create Pod web-0 in StatefulSet web failed error: \(expected)")
        XCTAssertNil(h.pod("web-0"))

        // The role given back its rule, the retried sync creates the pod.
        var restored = try roles.get(namespace: nil, name: roleName).object
        restored["rules"] = original["rules"]
        _ = try roles.update(namespace: nil, name: roleName, body: RequestBody(value: restored), options: WriteOptions())
        h.waitUntil("web-0 created once allowed", tick: .seconds(10)) { h.pod("web-0") != nil }
    }

    /// Every kube-controller-manager controller Kubelite maps to a ServiceAccount has the bootstrap
    /// role of that name, bound to that account in kube-system.
    func testEveryMappedAccountHasItsBootstrapRoleAndBinding() {
        let roles = Set(BootstrapPolicy.controllerRoles.map(\.meta.name))
        let bindings = BootstrapPolicy.controllerRoleBindings
        for controller in ["statefulset-controller", "replicaset-controller", "replication-controller", "deployment-controller",
                           "daemonset-controller", "job-controller", "cronjob-controller", "ttl-after-finished-controller",
                           "garbagecollector", "serviceaccount-controller", "root-ca-cert-publisher", "disruption-controller",
                           "clusterrole-aggregation-controller", "resourcequota-controller", "endpoint-controller",
                           "endpointslice-controller", "persistentvolume-binder", "simulated-provisioner", "pvc-protection",
                           "pv-protection"] {
            guard let username = ControllerUser.of(controller)?.user.username else { XCTFail("\(controller) has no user"); continue }
            XCTAssertTrue(username.hasPrefix("system:serviceaccount:kube-system:"), controller)
            let account = String(username.dropFirst("system:serviceaccount:kube-system:".count))
            XCTAssertTrue(roles.contains("system:controller:\(account)"), "\(controller): no role for \(account)")
            let binding = bindings.first { $0.meta.name == "system:controller:\(account)" }
            XCTAssertEqual(binding?["subjects"]?.arrayValue?.first?["name"]?.stringValue, account)
            XCTAssertEqual(binding?["subjects"]?.arrayValue?.first?["namespace"]?.stringValue, "kube-system")
        }
        XCTAssertEqual(ControllerUser.of("tokens-controller")?.user.username, "system:kube-controller-manager")
        XCTAssertEqual(ControllerUser.of("default-scheduler")?.user.username, "system:kube-scheduler")
        XCTAssertEqual(ControllerUser.of("default-scheduler")?.userAgent.hasPrefix("kube-scheduler/"), true)
        XCTAssertNil(ControllerUser.of("kubelet"))
    }
}
