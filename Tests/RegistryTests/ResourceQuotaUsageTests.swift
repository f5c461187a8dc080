import APIMachinery
import Foundation
@testable import Registry
import XCTest

/// What objects count against quotas, as upstream's evaluators measure them.
final class ResourceQuotaUsageTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func canonical(_ usage: [String: Quantity]) -> [String: String] { usage.mapValues(\.canonical) }

    func testAPodCountsItsComputeUntilItEnds() {
        let pod = json(#"""
        {"metadata":{"name":"p"},"spec":{"containers":[
          {"name":"a","resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"memory":"128Mi"}}},
          {"name":"b","resources":{"requests":{"cpu":"200m"}}}],
          "initContainers":[{"name":"i","resources":{"requests":{"cpu":"1"}}}]}}
        """#)
        let pods = GroupResource(group: "", resource: "pods")
        XCTAssertEqual(canonical(ResourceQuotaUsage.usage(of: pod, resource: pods, now: now)), [
            "count/pods": "1", "pods": "1", "cpu": "1", "requests.cpu": "1", "memory": "64Mi", "requests.memory": "64Mi",
            "limits.memory": "128Mi",
        ])
        let ended = modified(pod) { $0["status"] = ["phase": "Succeeded"] }
        XCTAssertEqual(canonical(ResourceQuotaUsage.usage(of: ended, resource: pods, now: now)), ["count/pods": "1"])
        XCTAssertTrue(ResourceQuotaUsage.applies(json(#"{"spec":{"scopes":["NotBestEffort"]}}"#), to: pod, resource: pods, now: now))
        XCTAssertFalse(ResourceQuotaUsage.applies(json(#"{"spec":{"scopes":["BestEffort"]}}"#), to: pod, resource: pods, now: now))
        XCTAssertFalse(ResourceQuotaUsage.applies(json(#"{"spec":{"scopes":["BestEffort"]}}"#), to: pod,
                                                  resource: GroupResource(group: "", resource: "configmaps"), now: now))
    }

    func testServicesClaimsAndOtherKinds() {
        let service = json(#"{"spec":{"type":"NodePort","ports":[{"port":80},{"port":443}]}}"#)
        XCTAssertEqual(canonical(ResourceQuotaUsage.usage(of: service, resource: GroupResource(group: "", resource: "services"), now: now)),
                       ["count/services": "1", "services": "1", "services.nodeports": "2"])
        let claim = json(#"{"spec":{"storageClassName":"fast","resources":{"requests":{"storage":"1Gi"}}}}"#)
        XCTAssertEqual(canonical(ResourceQuotaUsage.usage(of: claim, resource: GroupResource(group: "", resource: "persistentvolumeclaims"), now: now)), [
            "count/persistentvolumeclaims": "1", "persistentvolumeclaims": "1", "requests.storage": "1Gi",
            "fast.storageclass.storage.k8s.io/persistentvolumeclaims": "1", "fast.storageclass.storage.k8s.io/requests.storage": "1Gi",
        ])
        XCTAssertEqual(canonical(ResourceQuotaUsage.usage(of: [:], resource: GroupResource(group: "apps", resource: "deployments"), now: now)),
                       ["count/deployments.apps": "1"])
    }
}
