import Foundation
@testable import Node
import Synchronization

/// A launcher that runs nothing: tests see what would have started and end containers at will.
final class FakeContainerLauncher: ContainerLauncher, Sendable {
    final class Container: RunningContainer, Sendable {
        let argv: [String]
        let startedAt: Date
        var pid: pid_t? { nil }
        let exited: @Sendable (ContainerTermination) -> Void
        let clock: @Sendable () -> Date
        let signals = Mutex<[Int32]>([])
        /// Whether the container ends on SIGTERM (as most programs do) or ignores it.
        let endsOnTerm: Bool

        init(argv: [String], startedAt: Date, endsOnTerm: Bool, clock: @escaping @Sendable () -> Date,
             exited: @escaping @Sendable (ContainerTermination) -> Void) {
            self.argv = argv; self.startedAt = startedAt; self.endsOnTerm = endsOnTerm; self.clock = clock; self.exited = exited
        }

        func signal(_ signal: Int32) {
            signals.withLock { $0.append(signal) }
            if signal == SIGKILL || (signal == SIGTERM && endsOnTerm) { exit(128 + signal) }
        }

        func exit(_ code: Int32) {
            exited(ContainerTermination(exitCode: code, startedAt: startedAt, finishedAt: clock()))
        }
    }

    let clock: @Sendable () -> Date
    let endsOnTerm: Bool
    let started = Mutex<[Container]>([])

    init(clock: @escaping @Sendable () -> Date, endsOnTerm: Bool = true) { self.clock = clock; self.endsOnTerm = endsOnTerm }

    func startSandbox(hostname: String, mounts: [PodSandbox.Mount], network: PodNetwork.Attachment?, rootDirectory: String?, runtimeRoot: String) throws(PodSandbox.StartError) -> PodSandbox {
        .detached(hostname: hostname)
    }

    func start(_ launch: ContainerLaunch, in sandbox: PodSandbox, logPath: String,
               exited: @escaping @Sendable (ContainerTermination) -> Void) throws(ContainerProcess.StartError) -> any RunningContainer {
        let c = Container(argv: launch.argv, startedAt: clock(), endsOnTerm: endsOnTerm, clock: clock, exited: exited)
        started.withLock { $0.append(c) }
        return c
    }

    var argvs: [[String]] { started.withLock { $0.map(\.argv) } }
    func last(_ program: String) -> Container? { started.withLock { $0.last { $0.argv.first == program } } }
}
