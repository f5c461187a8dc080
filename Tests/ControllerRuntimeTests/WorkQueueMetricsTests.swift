@testable import ControllerRuntime
import Foundation
import KubeliteTesting
import Prometheus
import Synchronization
import XCTest

/// client-go's workqueue metrics on a manual clock: what each add, hand-out, finish and retry
/// records, and the work in progress read at scrape time.
final class WorkQueueMetricsTests: XCTestCase {
    /// Holds every queue's figures as the provider's metrics report them.
    final class RecordingProvider: WorkQueueMetricsProvider {
        struct Figures { var depth = 0.0, adds = 0, retries = 0, queueDurations: [Double] = [], workDurations: [Double] = [] }
        let figures = Mutex<[String: Figures]>([:])
        let readers = Mutex<[String: @Sendable () -> WorkQueueUnfinishedWork?]>([:])

        struct Metric: WorkQueueCounter, WorkQueueGauge, WorkQueueHistogram {
            let provider: RecordingProvider, queue: String, kind: Int
            func increment() { provider.figures.withLock { if kind == 0 { $0[queue, default: Figures()].adds += 1 } else { $0[queue, default: Figures()].retries += 1 } } }
            func increment(by amount: Double) { provider.figures.withLock { $0[queue, default: Figures()].depth += amount } }
            func decrement(by amount: Double) { provider.figures.withLock { $0[queue, default: Figures()].depth -= amount } }
            func record(_ value: Double) {
                provider.figures.withLock { if kind == 2 { $0[queue, default: Figures()].queueDurations.append(value) } else { $0[queue, default: Figures()].workDurations.append(value) } }
            }
        }

        func depth(queue name: String) -> any WorkQueueGauge { Metric(provider: self, queue: name, kind: -1) }
        func adds(queue name: String) -> any WorkQueueCounter { Metric(provider: self, queue: name, kind: 0) }
        func retries(queue name: String) -> any WorkQueueCounter { Metric(provider: self, queue: name, kind: 1) }
        func queueDuration(queue name: String) -> any WorkQueueHistogram { Metric(provider: self, queue: name, kind: 2) }
        func workDuration(queue name: String) -> any WorkQueueHistogram { Metric(provider: self, queue: name, kind: 3) }
        func unfinishedWork(queue name: String, read: @escaping @Sendable () -> WorkQueueUnfinishedWork?) { readers.withLock { $0[name] = read } }

        subscript(queue: String) -> Figures { figures.withLock { $0[queue] ?? Figures() } }
    }

    func testAddsDepthAndDurationsFollowTheManualClock() {
        let timers = ManualTimers()
        let provider = RecordingProvider()
        let queue = WorkQueue<String>(name: "statefulset", timers: timers, metricsProvider: provider)
        queue.add("a")
        queue.add("b")
        queue.add("a")  // collapses: not an add
        XCTAssertEqual(provider["statefulset"].adds, 2)
        XCTAssertEqual(provider["statefulset"].depth, 2)
        timers.advance(by: .seconds(2))

        let gate = Gate()
        queue.run(workers: 1) { key in if key == "a" { gate.pass() } }
        XCTAssertTrue(gate.waitForArrival(), "a handed to a worker")
        XCTAssertEqual(provider["statefulset"].depth, 1)
        XCTAssertEqual(provider["statefulset"].queueDurations, [2])
        queue.add("a")  // while a is processed: dirty again, counted, waits for a's end
        XCTAssertEqual(provider["statefulset"].adds, 3)
        XCTAssertEqual(provider["statefulset"].depth, 2)

        timers.advance(by: .seconds(3))
        let read = provider.readers.withLock { $0["statefulset"] }
        XCTAssertEqual(read?(), WorkQueueUnfinishedWork(seconds: 3, longestRunningProcessorSeconds: 3))
        gate.open()
        waitUntil { queue.isIdle }
        let figures = provider["statefulset"]
        XCTAssertEqual(figures.workDurations.first, 3)
        XCTAssertEqual(figures.workDurations.count, 3)  // a, b, a again
        // b waited 5 s; a's second add 3 s.
        XCTAssertEqual(figures.queueDurations, [2, 5, 3])
        XCTAssertEqual(figures.depth, 0)
        XCTAssertEqual(read?(), WorkQueueUnfinishedWork())
    }

    func testRetriesCountEveryDelayedAddUntilShutdown() {
        let timers = ManualTimers()
        let provider = RecordingProvider()
        let queue = WorkQueue<String>(name: "deployment", timers: timers, metricsProvider: provider)
        queue.addRateLimited("a")
        queue.addAfter("b", .seconds(1))
        queue.addAfter("c", .zero)
        XCTAssertEqual(provider["deployment"].retries, 3)
        XCTAssertEqual(provider["deployment"].adds, 1)  // c; a and b not yet due
        timers.advance(by: .seconds(1))
        XCTAssertEqual(provider["deployment"].adds, 3)
        queue.shutDown()
        queue.addRateLimited("a")
        XCTAssertEqual(provider["deployment"].retries, 3)
    }

    func testAQueueWithoutANameReportsNothing() {
        let provider = RecordingProvider()
        let queue = WorkQueue<String>(name: "", timers: ManualTimers(), metricsProvider: provider)
        queue.add("a")
        XCTAssertTrue(provider.figures.withLock { $0.isEmpty })
        XCTAssertTrue(provider.readers.withLock { $0.isEmpty })
    }

    func testPrometheusFamiliesHaveUpstreamNamesHelpAndBuckets() {
        let timers = ManualTimers()
        let registry = PrometheusCollectorRegistry()
        let provider = PrometheusWorkQueueMetrics(registry: registry)
        let queue = WorkQueue<String>(name: "replicaset", timers: timers, metricsProvider: provider)
        queue.add("a")
        queue.addRateLimited("b")
        timers.advance(by: .milliseconds(20))
        let gate = Gate()
        queue.run(workers: 2) { _ in gate.pass() }
        XCTAssertTrue(gate.waitForArrival(count: 2))
        timers.advance(by: .seconds(4))
        provider.updateUnfinishedWork()
        let text = registry.emitToString()
        for line in [
            "# HELP workqueue_depth [BETA] Current depth of workqueue",
            "# TYPE workqueue_depth gauge",
            #"workqueue_depth{name="replicaset"} 0.0"#,
            "# TYPE workqueue_adds_total counter",
            #"workqueue_adds_total{name="replicaset"} 2"#,
            #"workqueue_retries_total{name="replicaset"} 1"#,
            "# HELP workqueue_queue_duration_seconds [BETA] How long in seconds an item stays in workqueue before being requested.",
            "# TYPE workqueue_queue_duration_seconds histogram",
            #"workqueue_queue_duration_seconds_bucket{name="replicaset",le="1e-06"} 0"#,
            #"workqueue_queue_duration_seconds_bucket{name="replicaset",le="0.1"} 2"#,
            #"workqueue_queue_duration_seconds_bucket{name="replicaset",le="1000.0"} 2"#,
            #"workqueue_queue_duration_seconds_count{name="replicaset"} 2"#,
            "# HELP workqueue_work_duration_seconds [BETA] How long in seconds processing an item from workqueue takes.",
            #"workqueue_unfinished_work_seconds{name="replicaset"} 8.0"#,
            #"workqueue_longest_running_processor_seconds{name="replicaset"} 4.0"#,
        ] {
            XCTAssertTrue(text.contains(line), "missing \(line) in\n\(text)")
        }
        gate.open()
        waitUntil { queue.isIdle }
        provider.updateUnfinishedWork()
        XCTAssertTrue(registry.emitToString().contains(#"workqueue_unfinished_work_seconds{name="replicaset"} 0.0"#))
        XCTAssertEqual(PrometheusWorkQueueMetrics.durationBuckets, [1e-06, 9.999999999999999e-06, 9.999999999999999e-05, 0.001, 0.01, 0.1, 1, 10, 100, 1000])
    }
}
