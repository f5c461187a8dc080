import APIMachinery
import Foundation
@testable import Registry
import XCTest

/// ResourceQuota scopes and scope selectors: which pods a scoped quota counts (upstream's pod
/// evaluator) and which scope specs ValidateResourceQuota refuses.
final class ResourceQuotaScopeTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let pods = GroupResource(group: "", resource: "pods")

    func pod(priorityClass: String? = nil, deadline: Int? = nil, affinityNamespaces: [String]? = nil) -> JSON {
        var spec: JSONObject = ["containers": [["name": "c", "image": "nginx"]]]
        if let priorityClass { spec["priorityClassName"] = .string(priorityClass) }
        if let deadline { spec["activeDeadlineSeconds"] = .int(Int64(deadline)) }
        if let affinityNamespaces {
            spec["affinity"] = ["podAntiAffinity": ["preferredDuringSchedulingIgnoredDuringExecution": [
                ["weight": 1, "podAffinityTerm": ["topologyKey": "kubernetes.io/hostname", "namespaces": .array(affinityNamespaces.map { .string($0) })]],
            ]]]
        }
        return ["metadata": ["name": "p"], "spec": .object(spec)]
    }

    func quota(_ expressions: JSON, scopes: [String] = []) -> JSON {
        ["spec": ["hard": ["pods": "5"], "scopes": .array(scopes.map { .string($0) }), "scopeSelector": ["matchExpressions": expressions]]]
    }

    func applies(_ quota: JSON, _ pod: JSON, resource: GroupResource? = nil) -> Bool {
        ResourceQuotaUsage.applies(quota, to: pod, resource: resource ?? pods, now: now)
    }

    func testPriorityClassOperators() {
        let high = pod(priorityClass: "high"), low = pod(priorityClass: "low"), none = pod()
        let inHigh = quota([["scopeName": "PriorityClass", "operator": "In", "values": ["high"]]])
        XCTAssertEqual([applies(inHigh, high), applies(inHigh, low), applies(inHigh, none)], [true, false, false])
        let notInHigh = quota([["scopeName": "PriorityClass", "operator": "NotIn", "values": ["high"]]])
        XCTAssertEqual([applies(notInHigh, high), applies(notInHigh, low), applies(notInHigh, none)], [false, true, true],
                       "a pod without a class has no PriorityClass label, which NotIn matches")
        let exists = quota([["scopeName": "PriorityClass", "operator": "Exists"]])
        XCTAssertEqual([applies(exists, high), applies(exists, none)], [true, false])
        let absent = quota([["scopeName": "PriorityClass", "operator": "DoesNotExist"]])
        XCTAssertEqual([applies(absent, high), applies(absent, none)], [false, true])
        XCTAssertFalse(applies(inHigh, [:], resource: GroupResource(group: "", resource: "configmaps")), "only pods match scopes")
    }

    func testEveryRequirementMustHold() {
        let both = quota([["scopeName": "PriorityClass", "operator": "In", "values": ["high"]]], scopes: ["Terminating"])
        XCTAssertFalse(applies(both, pod(priorityClass: "high")))
        XCTAssertTrue(applies(both, pod(priorityClass: "high", deadline: 30)))
        let crossNamespace = quota([["scopeName": "CrossNamespacePodAffinity", "operator": "Exists"]])
        XCTAssertTrue(applies(crossNamespace, pod(affinityNamespaces: ["other"])))
        XCTAssertFalse(applies(crossNamespace, pod(affinityNamespaces: [])))
        let bestEffort = quota([["scopeName": "BestEffort", "operator": "Exists"]])
        XCTAssertTrue(applies(bestEffort, pod()))
    }

    func errors(_ spec: JSON) -> [String] {
        ResourceQuotaStrategy().validate(["metadata": ["name": "q", "namespace": "default"], "spec": spec]).map(\.description)
    }

    func testValidationOfScopesAndSelectors() {
        XCTAssertEqual(errors(["hard": ["pods": "1"], "scopeSelector": ["matchExpressions": [
            ["scopeName": "PriorityClass", "operator": "In", "values": ["high"]]]]]), [])
        XCTAssertEqual(errors(["hard": ["pods": "1"], "scopeSelector": ["matchExpressions": [
            ["scopeName": "PriorityClass", "operator": "In"],
            ["scopeName": "Terminating", "operator": "In", "values": ["x"]],
            ["scopeName": "Sideways", "operator": "Exists"],
            ["scopeName": "PriorityClass", "operator": "Near"],
            ["scopeName": "PriorityClass", "operator": "Exists", "values": ["x"]]]]]), [
            "spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
            #"spec.scopeSelector.matchExpressions.operator: Invalid value: "In": must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"#,
            #"spec.scopeSelector.matchExpressions.scopeName: Invalid value: "Sideways": unsupported scope"#,
            #"spec.scopeSelector.matchExpressions.operator: Invalid value: "Near": not a valid selector operator"#,
            #"spec.scopeSelector.matchExpressions.values: Invalid value: ["x"]: must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"#,
        ])
        XCTAssertEqual(errors(["hard": ["pods": "1"], "scopes": ["Terminating", "NotTerminating"]]),
                       [#"spec.scopes: Invalid value: ["Terminating","NotTerminating"]: conflicting scopes"#])
        XCTAssertEqual(errors(["hard": ["cpu": "1"], "scopes": ["BestEffort"]]),
                       [#"spec.scopes: Invalid value: ["BestEffort"]: unsupported scope applied to resource"#])
        XCTAssertEqual(errors(["hard": ["services": "1"], "scopeSelector": ["matchExpressions": [["scopeName": "PriorityClass", "operator": "Exists"]]]]).count, 1,
                       "a PriorityClass scope cannot limit services")
        XCTAssertEqual(errors(["hard": ["count/deployments.apps": "1"], "scopes": ["BestEffort"]]), [],
                       "names that are not standard quota resources are not checked against scopes")
    }
}
