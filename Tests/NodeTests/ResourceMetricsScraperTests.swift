import APIMachinery
import ControllerRuntime
import Foundation
import KubeliteTesting
@testable import Node
import Registry
import XCTest

/// The node's resource metrics: simulated pods use their requests, readings become rates between
/// two scrapes on the injected clock, a restart or a reading going backwards yields no rate, and
/// /proc is read per PID namespace.
final class ResourceMetricsScraperTests: XCTestCase {
    func testSimulatedPodsUseTheirRequestsOnTheManualClock() throws {
        let cluster = try NodeTestCluster(start: false)
        let scraper = ResourceMetricsScraper(options: SimulatedNodeOptions(), resolution: .seconds(15))
        cluster.registry.connectMetrics(scraper)
        ControllerManager.start(cluster.controllers + [scraper], context: cluster.context)
        _ = try cluster.createPod(NodeTestCluster.podBody("web", container: [
            "resources": ["requests": ["cpu": "250m", "memory": "64Mi"]]]))
        let informer = cluster.context.informer(GroupResource(group: "", resource: "pods"))
        XCTAssertTrue(waitUntil("web running in the scraper's cache") {
            PodView(informer.get(namespace: "default", name: "web") ?? [:]).phase == "Running"
        })
        // The first scrape that sees the pod is its start; a rate needs a second one.
        cluster.advance(.seconds(15))
        XCTAssertNil(scraper.podUsage(namespace: "default", name: "web"))
        cluster.advance(.seconds(15))
        let usage = try XCTUnwrap(scraper.podUsage(namespace: "default", name: "web"))
        XCTAssertEqual(usage.containers.map(\.name), ["redis"])
        XCTAssertEqual(usage.total, ResourceUsage(cpuNanocores: 250_000_000, memoryBytes: 64 * 1024 * 1024))
        XCTAssertEqual(usage.window, .seconds(15))
        XCTAssertEqual(usage.timestamp, cluster.timers.now())
        let node = try XCTUnwrap(scraper.nodeUsage(name: "kubelite-node"))
        XCTAssertEqual(node.usage, usage.total)
        XCTAssertEqual(node.window, .seconds(15))
        XCTAssertNil(scraper.nodeUsage(name: "other-node"))

        var now = DeleteOptions()
        now.gracePeriodSeconds = 0
        _ = try cluster.store("pods").delete(namespace: "default", name: "web", options: now)
        XCTAssertTrue(waitUntil("web gone from the scraper's cache") { informer.get(namespace: "default", name: "web") == nil })
        cluster.advance(.seconds(15))
        XCTAssertNil(scraper.podUsage(namespace: "default", name: "web"))
        XCTAssertEqual(scraper.nodeUsage(name: "kubelite-node")?.usage, .zero)
    }

    func testRatesBetweenPointsAsMetricsServerComputesThem() {
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        var points = PodPoints(uid: "u")
        points.store(["c": MetricsPoint(start: t0, timestamp: t0.addingTimeInterval(5), cumulativeCPU: 1_000_000_000, memory: 10)])
        XCTAssertNil(points.usage(order: ["c"]))
        points.store(["c": MetricsPoint(start: t0, timestamp: t0.addingTimeInterval(15), cumulativeCPU: 6_000_000_000, memory: 20)])
        // 5 s of CPU over 10 s: half a core.
        XCTAssertEqual(points.usage(order: ["c"])?.total, ResourceUsage(cpuNanocores: 500_000_000, memoryBytes: 20))
        XCTAssertEqual(points.usage(order: ["c"])?.window, .seconds(10))
        // A restart (a later start) has no previous point of its own: no rate until the next scrape.
        let restarted = t0.addingTimeInterval(20)
        points.store(["c": MetricsPoint(start: restarted, timestamp: t0.addingTimeInterval(25), cumulativeCPU: 100, memory: 5)])
        XCTAssertNil(points.usage(order: ["c"]))
        points.store(["c": MetricsPoint(start: restarted, timestamp: t0.addingTimeInterval(35), cumulativeCPU: 50, memory: 5)])
        // CPU going backwards is skipped (metrics-server logs and leaves the container out).
        XCTAssertNil(points.usage(order: ["c"]))
    }

    func testProcReadingsGroupByPIDNamespace() throws {
        let proc = FileManager.default.temporaryDirectory.appendingPathComponent("proc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: proc) }
        func process(_ pid: Int, namespace: String, command: String, ticks: (Int, Int, Int, Int), pages: Int) throws {
            try FileManager.default.createDirectory(atPath: "\(proc)/\(pid)/ns", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: "\(proc)/\(pid)/ns/pid", withDestinationPath: namespace)
            let stat = "\(pid) (\(command)) R 1 1 1 0 -1 4194560 100 0 0 0 \(ticks.0) \(ticks.1) \(ticks.2) \(ticks.3) 20 0 1 0 100 1000 \(pages)"
            try stat.write(toFile: "\(proc)/\(pid)/stat", atomically: true, encoding: .utf8)
            try "1000 \(pages) 10 1 0 50 0".write(toFile: "\(proc)/\(pid)/statm", atomically: true, encoding: .utf8)
        }
        try process(10, namespace: "pid:[1]", command: "sh", ticks: (100, 50, 0, 0), pages: 100)
        try process(11, namespace: "pid:[1]", command: "odd name) x", ticks: (10, 0, 30, 10), pages: 20)
        try process(20, namespace: "pid:[2]", command: "sleep", ticks: (1, 1, 0, 0), pages: 5)
        let snapshot = ProcessUsageSnapshot.read(proc: proc)
        let tick = 1_000_000_000 / ProcessUsageSnapshot.ticksPerSecond
        XCTAssertEqual(snapshot.usage(ofNamespaceOf: 11, proc: proc),
                       .init(cpuNanoseconds: 200 * tick, residentBytes: 120 * ProcessUsageSnapshot.pageSize))
        XCTAssertEqual(snapshot.usage(ofNamespaceOf: 20, proc: proc)?.cpuNanoseconds, 2 * tick)
        XCTAssertNil(snapshot.usage(ofNamespaceOf: 99, proc: proc))
    }
}
