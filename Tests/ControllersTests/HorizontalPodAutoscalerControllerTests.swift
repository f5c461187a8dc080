import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import Storage
import XCTest

/// Pod metrics a test sets by hand, standing for the node's scrapes.
final class SettableMetrics: ResourceMetricsSource, @unchecked Sendable {
    private let lock = NSLock()
    private var cpu: [String: UInt64] = [:]
    private var at = Date()
    func set(_ pods: [String: UInt64], at time: Date) { lock.lock(); cpu = pods; at = time; lock.unlock() }
    func podUsage(namespace: String, name: String) -> PodUsage? {
        lock.lock(); defer { lock.unlock() }
        return cpu[name].map { PodUsage(containers: [("app", ResourceUsage(cpuNanocores: $0, memoryBytes: 1 << 20))], timestamp: at, window: .seconds(15)) }
    }
    func nodeUsage(name: String) -> NodeUsage? { nil }
}

/// The HPA controller in-process, acting as its ServiceAccount under the bootstrap RBAC, on a manual
/// clock: resync every 15 s, a scale-up bounded by the default policies, a scale-down held by the
/// 300 s stabilization window, and upstream's conditions, status and events.
final class HorizontalPodAutoscalerControllerTests: XCTestCase {
    var h: ControllerHarness!
    let metrics = SettableMetrics()
    let controller = HorizontalPodAutoscalerController()
    static let hpas = GroupResource(group: "autoscaling", resource: "horizontalpodautoscalers")

    override func setUpWithError() throws {
        h = try ControllerHarness()
        h.registry.connectMetrics(metrics)
        ControllerManager.start([controller], context: h.context)
    }

    override func tearDown() { h.registry.stopWatches() }

    func makeDeployment(_ name: String, replicas: Int) throws {
        try h.create("deployments", ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
                                     "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]],
                                              "template": ["metadata": ["labels": ["app": .string(name)]],
                                                           "spec": ["containers": [["name": "app", "image": "busybox"]]]]]],
                     group: "apps")
    }

    func makePod(_ name: String, app: String) throws {
        var pod = try h.create("pods", ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "labels": ["app": .string(app)]],
                                        "spec": ["nodeName": "kubelite-node", "containers": [[
                                            "name": "app", "image": "busybox", "resources": ["requests": ["cpu": "100m"]]]]]])
        let started = JSON.string(Timestamp.format(h.timers.now().addingTimeInterval(-3600)))
        pod["status"] = ["phase": "Running", "startTime": started,
                         "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": started]]]
        _ = try h.registry.status(GroupResource(group: "", resource: "pods"))!.update(
            namespace: "default", name: name, body: RequestBody(value: pod), options: WriteOptions())
    }

    func makeAutoscaler(_ name: String, target: String, behavior: JSON? = [:]) throws {
        var spec: JSON = ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(target)],
                          "minReplicas": 1, "maxReplicas": 10,
                          "metrics": [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 50]]]]]
        if let behavior { spec["behavior"] = behavior }
        try h.create("horizontalpodautoscalers", ["apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                                                  "metadata": ["name": .string(name)], "spec": spec], group: "autoscaling")
        // The clock may move only once the controller has seen the HPA and timed its first sync.
        XCTAssertTrue(waitUntil("\(name)'s first sync scheduled") { self.controller.scheduled.withLock { $0.contains("default/\(name)") } })
    }

    func status(_ name: String) -> JSON { h.get("horizontalpodautoscalers", name, group: "autoscaling")?["status"] ?? [:] }
    func condition(_ name: String, _ type: String) -> JSON? {
        status(name)["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }
    /// The HPA as the controller's cache has it: the clock moves only once the last status written is
    /// there, or the next sync would write over a stale copy and conflict.
    func cached(_ name: String) -> JSON? { h.context.informer(Self.hpas).get(namespace: "default", name: name) }
    func replicas(_ deployment: String) -> Int64? { h.get("deployments", deployment, group: "apps")?[path: "spec", "replicas"]?.intValue }
    func events(_ reason: String) -> [String] {
        h.store("events").list(namespace: "default").items.map(\.object)
            .filter { $0["reason"]?.stringValue == reason }.compactMap { $0["message"]?.stringValue }
    }

    func testScalesUpWithinTheDefaultPoliciesThenDownAfterTheStabilizationWindow() throws {
        try makeDeployment("web", replicas: 2)
        try makePod("web-a", app: "web")
        try makePod("web-b", app: "web")
        metrics.set(["web-a": 200_000_000, "web-b": 200_000_000], at: h.timers.now())
        try makeAutoscaler("web", target: "web")
        XCTAssertTrue(waitUntil("the autoscaler's behavior defaults") {
            self.h.get("horizontalpodautoscalers", "web", group: "autoscaling")?[path: "spec", "behavior", "scaleUp"] != nil })

        // Nothing before the first resync period.
        h.timers.advance(by: .seconds(14))
        XCTAssertEqual(replicas("web"), 2)
        h.timers.advance(by: .seconds(1))
        // 200% of request against 50%: 8 wanted; from 2 the policies allow max(2 + 4, 2 × 2) = 6.
        XCTAssertTrue(waitUntil("scaled to 6") { self.replicas("web") == 6 && self.status("web")["desiredReplicas"] == 6 })
        let scaled = status("web")
        XCTAssertEqual(scaled["currentReplicas"], 2)
        XCTAssertEqual(scaled["lastScaleTime"], .string(Timestamp.format(h.timers.now())))
        XCTAssertEqual(scaled["currentMetrics"], [["type": "Resource", "resource": [
            "name": "cpu", "current": ["averageUtilization": 200, "averageValue": "200m"]]]])
        XCTAssertEqual(condition("web", "AbleToScale")?["reason"], "SucceededRescale")
        XCTAssertEqual(condition("web", "AbleToScale")?["message"], "the HPA controller was able to update the target scale to 6")
        XCTAssertEqual(condition("web", "ScalingActive")?["reason"], "ValidMetricFound")
        XCTAssertEqual(condition("web", "ScalingActive")?["message"],
                       "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)")
        XCTAssertEqual(condition("web", "ScalingLimited")?["status"], "True")
        XCTAssertEqual(condition("web", "ScalingLimited")?["reason"], "ScaleUpLimit")
        XCTAssertTrue(waitUntil("the rescale event") {
            self.events("SuccessfulRescale") == ["New size: 6; reason: cpu resource utilization (percentage of request) above target"]
        })

        // Load gone: 1 wanted, but the recommendation of 8 stays within the 300 s window.
        XCTAssertTrue(waitUntil("the status in the cache") { self.cached("web")?[path: "status", "desiredReplicas"] == 6 })
        metrics.set(["web-a": 5_000_000, "web-b": 5_000_000], at: h.timers.now())
        h.timers.advance(by: .seconds(15))
        XCTAssertTrue(waitUntil("scale-down stabilized") { self.condition("web", "AbleToScale")?["reason"] == "ScaleDownStabilized" })
        XCTAssertEqual(replicas("web"), 6)
        XCTAssertEqual(status("web")["desiredReplicas"], 6)
        XCTAssertEqual(status("web")[path: "currentMetrics"]?.arrayValue?.first?[path: "resource", "current", "averageUtilization"], 5)

        XCTAssertTrue(waitUntil("the status in the cache") {
            self.cached("web")?[path: "status", "currentMetrics"]?.arrayValue?.first?[path: "resource", "current", "averageUtilization"] == 5 })
        h.timers.advance(by: .seconds(300))
        XCTAssertTrue(waitUntil("scaled down to the minimum") { self.replicas("web") == 1 })
        XCTAssertTrue(waitUntil("the scale-down event") {
            self.events("SuccessfulRescale").contains("New size: 1; reason: All metrics below target") })
    }

    func testNoMetricsIsScalingActiveFalse() throws {
        try makeDeployment("quiet", replicas: 1)
        try makePod("quiet-a", app: "quiet")
        try makeAutoscaler("quiet", target: "quiet", behavior: nil)
        h.timers.advance(by: .seconds(15))
        XCTAssertTrue(waitUntil("ScalingActive False") { self.condition("quiet", "ScalingActive")?["status"] == "False" })
        XCTAssertEqual(condition("quiet", "ScalingActive")?["reason"], "FailedGetResourceMetric")
        XCTAssertEqual(condition("quiet", "ScalingActive")?["message"],
                       "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API")
        XCTAssertEqual(condition("quiet", "AbleToScale")?["reason"], "SucceededGetScale")
        XCTAssertEqual(status("quiet")["currentReplicas"], 1)
        XCTAssertEqual(status("quiet")["currentMetrics"], [["type": ""]])
        XCTAssertTrue(waitUntil("the events") {
            self.events("FailedComputeMetricsReplicas") == [
                "invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API"]
                && self.events("FailedGetResourceMetric").count == 1
        })
        XCTAssertEqual(replicas("quiet"), 1)
    }

    func testAMissingTargetIsAbleToScaleFalse() throws {
        try makeAutoscaler("ghost", target: "ghost")
        h.timers.advance(by: .seconds(15))
        XCTAssertTrue(waitUntil("AbleToScale False") { self.condition("ghost", "AbleToScale")?["status"] == "False" })
        XCTAssertEqual(condition("ghost", "AbleToScale")?["reason"], "FailedGetScale")
        XCTAssertEqual(condition("ghost", "AbleToScale")?["message"],
                       "the HPA controller was unable to get the target's current scale: deployments.apps \"ghost\" not found")
        XCTAssertTrue(waitUntil("the event") { self.events("FailedGetScale") == ["deployments.apps \"ghost\" not found"] })
    }

    func testReplicasOutsideTheBoundsAreBroughtIn() throws {
        try makeDeployment("big", replicas: 12)
        try makeAutoscaler("big", target: "big")
        h.timers.advance(by: .seconds(15))
        XCTAssertTrue(waitUntil("scaled to the maximum") { self.replicas("big") == 10 })
        XCTAssertTrue(waitUntil("the event") {
            self.events("SuccessfulRescale") == ["New size: 10; reason: Current number of replicas above Spec.MaxReplicas"] })
    }
}

extension HorizontalPodAutoscalerControllerTests {
    func testTwoAutoscalersOfTheSamePodsAreAmbiguous() throws {
        try makeDeployment("shared", replicas: 1)
        try makePod("shared-a", app: "shared")
        metrics.set(["shared-a": 50_000_000], at: h.timers.now())
        try makeAutoscaler("first", target: "shared")
        try makeAutoscaler("second", target: "shared")
        h.timers.advance(by: .seconds(15))
        // The first one synced before the second's selector was known; both sync again 15 s later.
        // (Their written statuses must be in the controller's cache first, or the next write conflicts.)
        let cache = h.context.informer(Self.hpas)
        XCTAssertTrue(waitUntil("both synced once, in the cache, and rescheduled") {
            ["first", "second"].allSatisfy { cache.get(namespace: "default", name: $0)?[path: "status", "conditions"] != nil }
                && self.controller.scheduled.withLock { $0.isSuperset(of: ["default/first", "default/second"]) }
        })
        h.timers.advance(by: .seconds(15))
        let message = "pods by selector app=shared are controlled by multiple HPAs: [default/first default/second]"
        XCTAssertTrue(waitUntil("both ambiguous") {
            self.condition("first", "ScalingActive")?["message"]?.stringValue == message
                && self.condition("second", "ScalingActive")?["message"]?.stringValue == message
        })
        XCTAssertEqual(condition("second", "ScalingActive")?["reason"], "AmbiguousSelector", "\(status("first")) \(status("second"))")
        XCTAssertEqual(replicas("shared"), 1)
    }
}
