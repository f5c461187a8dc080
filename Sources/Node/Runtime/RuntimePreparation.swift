import Foundation

/// The process runtime's start-up checks, run once on a thread of their own so that `kubelite serve`
/// is ready without waiting for them: whether this machine can run pods (the probe starts `unshare`)
/// and the removal of what a crashed run left behind (a scan of /proc). Together they take about as
/// long again as the rest of start-up. The kubelet waits for them before its first decision about a
/// pod, so no sandbox starts before a crashed run's leftovers are gone.
public final class RuntimePreparation: @unchecked Sendable {
    private let condition = NSCondition()
    private var finished: Bool
    private var reason: String?
    private var checks: (@Sendable () -> String?)?

    /// - Parameter checks: answer why pods cannot run here, or nil; run by `start`.
    public init(checks: @escaping @Sendable () -> String?) {
        finished = false
        self.checks = checks
    }

    private init(finishedWith reason: String?) {
        finished = true
        self.reason = reason
    }

    /// Checks already made, with pods able to run: for a runtime set up synchronously (tests, and
    /// `--pod-runtime process`, which must refuse to start on a machine that cannot run pods).
    public static let ready = RuntimePreparation(finishedWith: nil)

    /// Runs the checks on a new thread, once; `kubelite serve` calls it once it is ready, so that
    /// they do not compete with start-up for the CPU.
    public func start() {
        condition.lock()
        let checks = self.checks
        self.checks = nil
        condition.unlock()
        guard let checks else { return }
        Thread.detachNewThread { [self] in
            let answer = checks()
            condition.lock()
            reason = answer
            finished = true
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Blocks until the checks are done; why pods cannot run here, or nil when they can.
    public func unavailableReason() -> String? {
        condition.lock()
        defer { condition.unlock() }
        while !finished { condition.wait() }
        return reason
    }
}
