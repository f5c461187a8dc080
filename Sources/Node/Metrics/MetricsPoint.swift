import Foundation
import Registry

/// One container's (or node's) reading at one scrape, as metrics-server stores it: cumulative CPU
/// time since `start`, and memory at `timestamp`.
struct MetricsPoint: Sendable, Equatable {
    /// When the container started; cumulative CPU counts from there.
    var start: Date
    var timestamp: Date
    /// CPU time in nanoseconds since `start` (nanocore-seconds).
    var cumulativeCPU: UInt64
    var memory: UInt64

    /// metrics-server's resourceUsage: the CPU rate between two points of the same container and the
    /// later memory; nil when the container restarted, its CPU went backwards, or no time passed.
    static func usage(last: MetricsPoint, prev: MetricsPoint) -> (ResourceUsage, Duration)? {
        guard last.start >= prev.start, last.cumulativeCPU >= prev.cumulativeCPU else { return nil }
        let window = last.timestamp.timeIntervalSince(prev.timestamp)
        guard window > 0 else { return nil }
        let rate = Double(last.cumulativeCPU - prev.cumulativeCPU) / window
        let nanos = Int64((window * 1e9).rounded())
        return (ResourceUsage(cpuNanocores: UInt64(rate), memoryBytes: last.memory), .nanoseconds(nanos))
    }
}

/// The last two scrapes of one pod's containers.
struct PodPoints: Sendable {
    var uid: String
    var last: [String: MetricsPoint] = [:]
    var prev: [String: MetricsPoint] = [:]

    /// metrics-server's Store: a container's previous point is kept only when the new one is later
    /// and from the same start (no restart between them).
    mutating func store(_ points: [String: MetricsPoint]) {
        var newPrev: [String: MetricsPoint] = [:]
        for (name, point) in points {
            if let old = last[name], old.start == point.start, old.timestamp < point.timestamp {
                newPrev[name] = old
            } else if let older = prev[name], older.start == point.start, older.timestamp < point.timestamp {
                newPrev[name] = older
            }
        }
        last = points
        prev = newPrev
    }

    /// The pod's usage when every container has two points (metrics-server's allContainersPresent);
    /// a container whose CPU went backwards is left out; timestamp and window are the earliest
    /// container's. `order` lists the containers as the spec does.
    func usage(order: [String]) -> PodUsage? {
        guard !last.isEmpty else { return nil }
        var containers: [(name: String, usage: ResourceUsage)] = []
        var earliest: (Date, Duration)?
        for name in order {
            guard let l = last[name] else { continue }
            guard let p = prev[name] else { return nil }
            guard let (usage, window) = MetricsPoint.usage(last: l, prev: p) else { continue }
            containers.append((name, usage))
            if earliest == nil || l.timestamp < earliest!.0 { earliest = (l.timestamp, window) }
        }
        guard let earliest else { return nil }
        return PodUsage(containers: containers, timestamp: earliest.0, window: earliest.1)
    }
}
