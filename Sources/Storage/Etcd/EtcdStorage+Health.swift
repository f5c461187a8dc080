import Foundation

/// The /readyz `etcd` check. The watch alone cannot tell: a member that is stopped (SIGSTOP, a
/// hung disk) keeps its connections open and just stops answering, so the watch stays quietly
/// connected. As kube-apiserver's check does, a read of `<prefix>/health` is made with a short
/// timeout, here once per `interval` on a thread of its own, so a probe never waits on etcd.
extension EtcdStorage {
    struct HealthState {
        /// The last probe's failure, nil when it answered (the first probe runs before the store is used).
        var probeProblem: String?
    }

    /// nil while the watch is connected and etcd answered the last probe; the reason otherwise.
    public var healthProblem: String? {
        let watch = watchState.withLock { $0.connected ? nil : $0.lastError }
        return watch ?? health.withLock { $0.probeProblem }
    }

    func startHealthProbe(interval: Duration, timeout: Duration) {
        let prober = client.withTimeouts(connect: timeout, call: timeout)
        let key = Array((layout.rootPrefix + "health").utf8)
        probeOnce(prober, key)
        let thread = Thread { [weak self] in
            while true {
                Thread.sleep(forTimeInterval: interval.secondsValue)
                guard let self, !self.isClosed else { return }
                self.probeOnce(prober, key)
            }
        }
        thread.name = "etcd-health"
        thread.start()
    }

    private func probeOnce(_ prober: EtcdClient, _ key: [UInt8]) {
        let problem: String?
        do {
            _ = try prober.range(key)
            problem = nil
        } catch {
            problem = "error getting data from etcd: \(error)"
        }
        let changed = health.withLock { s -> Bool in
            defer { s.probeProblem = problem }
            return (s.probeProblem == nil) != (problem == nil)
        }
        if changed, let problem { report(problem) } else if changed { report("etcd answers again") }
    }

    var isClosed: Bool { watchState.withLock { $0.stopped } }
}

extension Duration {
    var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
