import Foundation
import Prometheus
import Synchronization

/// The process collector every Go binary exports (client_golang's process_*), read from /proc at
/// scrape time.
final class ProcessMetrics: Sendable {
    let cpu: Counter, resident: Gauge, virtual: Gauge, openFDs: Gauge, maxFDs: Gauge, startTime: Gauge

    private let cpuCounted = Mutex(0.0)

    init(registry: PrometheusCollectorRegistry) {
        func gauge(_ name: String, _ unit: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: unit, helpText: help))
        }
        cpu = registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "process_cpu_seconds", unitName: "total",
                                                                    helpText: "Total user and system CPU time spent in seconds."))
        resident = gauge("process_resident_memory", "bytes", "Resident memory size in bytes.")
        virtual = gauge("process_virtual_memory", "bytes", "Virtual memory size in bytes.")
        openFDs = gauge("process_open", "fds", "Number of open file descriptors.")
        maxFDs = gauge("process_max", "fds", "Maximum number of open file descriptors.")
        startTime = gauge("process_start_time", "seconds", "Start time of the process since unix epoch in seconds.")
    }

    func update() {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            // Fields after the command name (which may hold spaces): state is field 3.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            func field(_ n: Int) -> Double { Double(fields[n - 3]) ?? 0 }
            // The counter moves by what the kernel's figure moved since the last scrape.
            let seconds = (field(14) + field(15)) / ticks
            let delta = cpuCounted.withLock { counted in defer { counted = max(counted, seconds) }; return seconds - counted }
            if delta > 0 { cpu.increment(by: delta) }
            virtual.set(to: field(23))
            resident.set(to: field(24) * Double(sysconf(Int32(_SC_PAGESIZE))))
            if let boot = Self.bootTime() { startTime.set(to: boot + field(22) / ticks) }
        }
        openFDs.set(to: Double((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0))
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.set(to: Double(limit.rlim_cur)) }
    }

    /// `btime` from /proc/stat: the boot time in seconds since the epoch.
    static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return stat.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) }
    }
}
