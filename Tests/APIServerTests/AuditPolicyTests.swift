@testable import APIServer
import Registry
import XCTest

/// The audit policy checker: first matching rule wins, as k8s.io/apiserver/pkg/audit/policy.
final class AuditPolicyTests: XCTestCase {
    let policy = try! AuditPolicy.parse(Array("""
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: [RequestReceived]
        rules:
          - level: None
            users: ["system:kube-proxy"]
          - level: None
            nonResourceURLs: ["/healthz*", "/version"]
          - level: Metadata
            resources: [{group: "", resources: ["secrets", "configmaps"]}]
          - level: RequestResponse
            namespaces: ["prod"]
            resources: [{group: apps, resources: ["deployments/*"]}, {group: "", resources: ["*/status"]}]
          - level: Request
            verbs: [watch]
            userGroups: ["system:authenticated"]
            omitStages: [ResponseStarted]
          - level: Metadata
            omitManagedFields: true
        """.utf8))

    func attributes(_ verb: String, _ resource: String = "", subresource: String = "", group: String = "", namespace: String = "",
                    path: String = "", user: UserInfo = .anonymous) -> AuditPolicy.Attributes {
        var attributes = AuditPolicy.Attributes(user: user, verb: verb, isResourceRequest: !resource.isEmpty, path: path)
        (attributes.resource, attributes.subresource, attributes.group, attributes.namespace) = (resource, subresource, group, namespace)
        return attributes
    }

    func testFirstMatchingRuleDecides() {
        let proxy = UserInfo(username: "system:kube-proxy", groups: ["system:authenticated"])
        XCTAssertEqual(policy.decide(attributes("get", "pods", user: proxy)).level, .none)
        XCTAssertEqual(policy.decide(attributes("get", path: "/healthz/ping")).level, .none)
        XCTAssertEqual(policy.decide(attributes("get", path: "/versions")).level, .metadata, "only a trailing * is a wildcard")
        XCTAssertEqual(policy.decide(attributes("create", "secrets", namespace: "prod")).level, .metadata)
        XCTAssertEqual(policy.decide(attributes("patch", "deployments", subresource: "scale", group: "apps", namespace: "prod")).level,
                       .requestResponse)
        XCTAssertEqual(policy.decide(attributes("patch", "deployments", group: "apps", namespace: "prod")).level, .requestResponse,
                       "upstream's checker matches resource/* on the resource itself too")
        XCTAssertEqual(policy.decide(attributes("patch", "replicasets", group: "apps", namespace: "prod")).level, .metadata)
        XCTAssertEqual(policy.decide(attributes("update", "pods", subresource: "status", namespace: "prod")).level, .requestResponse)
        XCTAssertEqual(policy.decide(attributes("update", "pods", subresource: "status", namespace: "dev")).level, .metadata)
    }

    func testStagesAndManagedFieldsCombinePolicyAndRule() {
        let user = UserInfo(username: "alice", groups: ["system:authenticated"])
        let watch = policy.decide(attributes("watch", "pods", user: user))
        XCTAssertEqual(watch.level, .request)
        XCTAssertEqual(watch.omitStages, [.requestReceived, .responseStarted])
        XCTAssertFalse(watch.omitManagedFields)
        XCTAssertEqual(policy.decide(attributes("watch", "pods")).level, .metadata, "anonymous is not in system:authenticated")
        XCTAssertTrue(policy.decide(attributes("get", "nodes")).omitManagedFields)
    }

    func testInvalidPoliciesAreRefused() {
        for (text, message) in [
            ("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []", "0 rules"),
            ("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Loud}]", "rules[0].level: Unsupported value: \"Loud\""),
            ("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, nonResourceURLs: [/x], resources: [{group: ''}]}]",
             "cannot apply to both"),
            ("apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [Sometimes]\nrules: [{level: None}]", "omitStages: Unsupported value"),
        ] {
            XCTAssertThrowsError(try AuditPolicy.parse(Array(text.utf8))) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }
}
