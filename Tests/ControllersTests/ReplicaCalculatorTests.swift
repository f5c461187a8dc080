import APIMachinery
@testable import Controllers
import Foundation
import XCTest

/// The replica calculation of upstream's ReplicaCalculator for Resource metrics, on fixed pods and
/// metrics (cases after replica_calculator_test.go).
final class ReplicaCalculatorTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    let calculator = ReplicaCalculator()

    /// A running pod requesting `cpu` millicores, started and Ready long ago unless told otherwise.
    func pod(_ name: String, cpu: Int = 1000, phase: String = "Running", ready: String = "True",
             startedAgo: TimeInterval = 3600, readySinceAgo: TimeInterval = 3500, deleting: Bool = false) -> JSON {
        var metadata: JSONObject = ["name": .string(name), "namespace": "default"]
        if deleting { metadata["deletionTimestamp"] = .string(Timestamp.format(now)) }
        return ["metadata": .object(metadata),
                "spec": ["containers": [["name": "c", "resources": ["requests": ["cpu": .string("\(cpu)m"), "memory": "1Gi"]]]]],
                "status": ["phase": .string(phase), "startTime": .string(Timestamp.format(now.addingTimeInterval(-startedAgo))),
                           "conditions": [["type": "Ready", "status": .string(ready),
                                           "lastTransitionTime": .string(Timestamp.format(now.addingTimeInterval(-readySinceAgo)))]]]]
    }

    func metric(_ milli: Int64) -> PodMetric { PodMetric(timestamp: now.addingTimeInterval(-5), window: 15, value: milli) }

    func testScaleUpByUtilization() throws {
        let pods = [pod("a"), pod("b"), pod("c")]
        let p = try calculator.resourceReplicas(current: 3, targetUtilization: 30, resource: "cpu", pods: pods,
                                                metrics: ["a": metric(300), "b": metric(500), "c": metric(700)], now: now)
        // 1500m used of 3000m requested: 50% against 30% → ceil(3 × 50/30) = 5.
        XCTAssertEqual(p, ReplicaCalculator.Proposal(replicas: 5, utilization: 50, rawAverage: 500))
    }

    func testScaleDownAndTolerance() throws {
        let pods = [pod("a"), pod("b"), pod("c"), pod("d"), pod("e")]
        let low = Dictionary(uniqueKeysWithValues: ["a", "b", "c", "d", "e"].map { ($0, metric(100)) })
        XCTAssertEqual(try calculator.resourceReplicas(current: 5, targetUtilization: 50, resource: "cpu", pods: pods, metrics: low, now: now).replicas, 1)
        // 52% against 50%: within the 0.1 tolerance, nothing changes.
        let near = Dictionary(uniqueKeysWithValues: ["a", "b", "c", "d", "e"].map { ($0, metric(520)) })
        XCTAssertEqual(try calculator.resourceReplicas(current: 5, targetUtilization: 50, resource: "cpu", pods: pods, metrics: near, now: now).replicas, 5)
    }

    func testUnreadyPodsCountAsZeroOnScaleUp() throws {
        // Two ready pods at 100% of request against 50%; a third not Ready yet counts as using nothing.
        let pods = [pod("a"), pod("b"), pod("c", ready: "False", startedAgo: 10, readySinceAgo: 10)]
        let p = try calculator.resourceReplicas(current: 3, targetUtilization: 50, resource: "cpu", pods: pods,
                                                metrics: ["a": metric(1000), "b": metric(1000), "c": metric(1000)], now: now)
        // Ready pods alone: 100%, twice the target → rebalanced with the unready one at 0: 2000/3000 = 66%
        // → ceil(3 × 66/50) = 4. The status reports the ready pods' 100%.
        XCTAssertEqual(p.replicas, 4)
        XCTAssertEqual(p.utilization, 100)
    }

    func testMissingPodsOnScaleDownCountAsFullRequest() throws {
        let pods = [pod("a"), pod("b"), pod("c")]
        let p = try calculator.resourceReplicas(current: 3, targetUtilization: 50, resource: "cpu", pods: pods,
                                                metrics: ["a": metric(100), "b": metric(100)], now: now)
        // 10% on the measured pods; the missing one counted at 100% gives 1200/3000 = 40%, a ratio of
        // 0.8: ceil(3 × 0.8) = 3, the current count.
        XCTAssertEqual(p.replicas, 3)
        let many = (0..<10).map { pod("p\($0)") }
        var metrics: [String: PodMetric] = [:]
        for i in 0..<8 { metrics["p\(i)"] = metric(50) }
        // 8 pods at 5%, two missing at 100%: 2400/10000 = 24% → ceil(10 × 24/50) = 5.
        XCTAssertEqual(try calculator.resourceReplicas(current: 10, targetUtilization: 50, resource: "cpu", pods: many,
                                                       metrics: metrics, now: now).replicas, 5)
    }

    func testDeletedAndFailedPodsAreIgnored() throws {
        let pods = [pod("a"), pod("b", deleting: true), pod("c", phase: "Failed")]
        let p = try calculator.resourceReplicas(current: 3, targetUtilization: 50, resource: "cpu", pods: pods,
                                                metrics: ["a": metric(1000), "b": metric(0), "c": metric(0)], now: now)
        XCTAssertEqual(p.replicas, 2)
    }

    func testFailures() {
        XCTAssertThrowsError(try calculator.resourceReplicas(current: 1, targetUtilization: 50, resource: "cpu", pods: [],
                                                             metrics: [:], now: now)) {
            XCTAssertEqual("\($0)", "no pods returned by selector while calculating replica count")
        }
        XCTAssertThrowsError(try calculator.resourceReplicas(current: 1, targetUtilization: 50, resource: "cpu",
                                                             pods: [pod("a", phase: "Pending")], metrics: ["a": metric(1)], now: now)) {
            XCTAssertEqual("\($0)", "did not receive metrics for targeted pods (pods might be unready)")
        }
        var noRequest = pod("a")
        noRequest[path: "spec", "containers"] = [["name": "c"]]
        XCTAssertThrowsError(try calculator.resourceReplicas(current: 1, targetUtilization: 50, resource: "cpu", pods: [noRequest],
                                                             metrics: ["a": metric(1)], now: now)) {
            XCTAssertEqual("\($0)", "missing request for cpu in container c of Pod a")
        }
    }

    func testAverageValueTarget() throws {
        let pods = [pod("a"), pod("b")]
        // 300m and 500m against 200m per pod: average 400m → 2 × 2 = 4.
        let p = try calculator.averageValueReplicas(current: 2, targetAverage: 200, resource: "cpu", pods: pods,
                                                    metrics: ["a": metric(300), "b": metric(500)], now: now)
        XCTAssertEqual(p, ReplicaCalculator.Proposal(replicas: 4, utilization: nil, rawAverage: 400))
    }
}

/// Stabilization and rate limits of the HPA's normalization, on a clock the test moves.
final class ReplicaNormalizerTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_700_000_000)
    let normalizer = ReplicaNormalizer()

    func testDefaultBehaviorLimitsScaleUpPerPeriod() {
        var history = ScalingHistory(recommendations: [.init(replicas: 1, time: start)])
        // From 1, the policies allow max(1 + 4, 1 × 2) = 5 in 15 s.
        var o = normalizer.normalize(history: &history, scaleUp: .defaultScaleUp, scaleDown: .defaultScaleDown, current: 1, desired: 20,
                                     minReplicas: 1, maxReplicas: 30, now: start)
        XCTAssertEqual(o.replicas, 5)
        XCTAssertEqual(o.limitReason, "ScaleUpLimit")
        XCTAssertTrue(o.limited)
        ReplicaNormalizer.record(history: &history, scaleUp: .defaultScaleUp, scaleDown: .defaultScaleDown, from: 1, to: 5, now: start)
        // Ten seconds later the period still holds the 4 added: the limit is 1 + 4 = 5 or 1 × 2 = 2 → 5, no more.
        o = normalizer.normalize(history: &history, scaleUp: .defaultScaleUp, scaleDown: .defaultScaleDown, current: 5, desired: 20,
                                 minReplicas: 1, maxReplicas: 30, now: start.addingTimeInterval(10))
        XCTAssertEqual(o.replicas, 5)
        // After the 15 s period: 5 + 4 = 9 or 5 × 2 = 10 → 10 (selectPolicy Max).
        o = normalizer.normalize(history: &history, scaleUp: .defaultScaleUp, scaleDown: .defaultScaleDown, current: 5, desired: 20,
                                 minReplicas: 1, maxReplicas: 30, now: start.addingTimeInterval(16))
        XCTAssertEqual(o.replicas, 10)
        // The maximum bounds it too.
        o = normalizer.normalize(history: &history, scaleUp: .defaultScaleUp, scaleDown: .defaultScaleDown, current: 5, desired: 20,
                                 minReplicas: 1, maxReplicas: 7, now: start.addingTimeInterval(40))
        XCTAssertEqual(o.replicas, 7)
        XCTAssertEqual(o.limitReason, "TooManyReplicas")
    }

    func testScaleDownWaitsForTheStabilizationWindow() {
        var history = ScalingHistory(recommendations: [.init(replicas: 4, time: start)])
        var o = normalizer.normalize(history: &history, scaleUp: .defaultScaleUp, scaleDown: .defaultScaleDown, current: 4, desired: 1,
                                     minReplicas: 1, maxReplicas: 10, now: start.addingTimeInterval(15))
        XCTAssertEqual(o.replicas, 4)
        XCTAssertEqual(o.ableReason, "ScaleDownStabilized")
        o = normalizer.normalize(history: &history, scaleUp: .defaultScaleUp, scaleDown: .defaultScaleDown, current: 4, desired: 1,
                                 minReplicas: 1, maxReplicas: 10, now: start.addingTimeInterval(299))
        XCTAssertEqual(o.replicas, 4)
        // 300 s after the recommendation of 4, only recommendations of 1 are left in the window.
        o = normalizer.normalize(history: &history, scaleUp: .defaultScaleUp, scaleDown: .defaultScaleDown, current: 4, desired: 1,
                                 minReplicas: 1, maxReplicas: 10, now: start.addingTimeInterval(301))
        XCTAssertEqual(o.replicas, 1)
        XCTAssertEqual(o.ableReason, "ReadyForNewScale")
        XCTAssertEqual(o.limitReason, "DesiredWithinRange")
        XCTAssertFalse(o.limited)
    }

    func testScaleDownPolicyAndMinimum() {
        var history = ScalingHistory()
        let rules = ScalingRules(stabilizationWindowSeconds: 0, policies: [.init(type: "Pods", value: 2, periodSeconds: 60)])
        var o = normalizer.normalize(history: &history, scaleUp: .defaultScaleUp, scaleDown: rules, current: 10, desired: 1,
                                     minReplicas: 1, maxReplicas: 10, now: start)
        XCTAssertEqual(o.replicas, 8)
        XCTAssertEqual(o.limitReason, "ScaleDownLimit")
        o = normalizer.normalize(history: &history, scaleUp: .defaultScaleUp, scaleDown: .defaultScaleDown, current: 3, desired: 1,
                                 minReplicas: 2, maxReplicas: 10, now: start.addingTimeInterval(1000))
        XCTAssertEqual(o.replicas, 2)
        XCTAssertEqual(o.limitReason, "TooFewReplicas")
    }

    func testLegacyPathWithoutBehavior() {
        var history = ScalingHistory(recommendations: [.init(replicas: 2, time: start)])
        // max(2 × 2, 4) = 4.
        var o = normalizer.normalize(history: &history, current: 2, desired: 9, minReplicas: 1, maxReplicas: 10, now: start)
        XCTAssertEqual(o.replicas, 4)
        XCTAssertEqual(o.limitReason, "ScaleUpLimit")
        o = normalizer.normalize(history: &history, current: 4, desired: 1, minReplicas: 1, maxReplicas: 10, now: start.addingTimeInterval(60))
        // The highest recent recommendation (9) stands, and the rate limit from 4 is 8: upstream's
        // legacy path scales to it even though this sync alone asks for 1.
        XCTAssertEqual(o.replicas, 8)
        XCTAssertEqual(o.ableReason, "ScaleDownStabilized")
    }
}
