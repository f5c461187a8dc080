import Foundation
@testable import Node
import Synchronization

/// A handler runner that runs nothing: tests answer each probe or hook, at once through `answer`
/// or later through `complete`; nil from `answer` leaves the handler running.
final class FakeHandlerRunner: ContainerHandlerRunner, Sendable {
    struct Call: Sendable {
        var handler: ContainerHandler
        var container: String
        var completion: @Sendable (HandlerOutcome) -> Void
    }

    let answer = Mutex<@Sendable (ContainerHandler) -> HandlerOutcome?>({ _ in HandlerOutcome(success: true, output: "") })
    let calls = Mutex<[Call]>([])
    let cancelled = Mutex(0)

    func run(_ handler: ContainerHandler, in target: HandlerTarget, timeout: TimeInterval,
             completion: @escaping @Sendable (HandlerOutcome) -> Void) -> @Sendable () -> Void {
        calls.withLock { $0.append(Call(handler: handler, container: target.containerName, completion: completion)) }
        if let outcome = answer.withLock({ $0 })(handler) { completion(outcome) }
        return { [self] in cancelled.withLock { $0 += 1 } }
    }

    func answer(_ body: @escaping @Sendable (ContainerHandler) -> HandlerOutcome?) { answer.withLock { $0 = body } }
    var handlers: [ContainerHandler] { calls.withLock { $0.map(\.handler) } }
    func count(_ handler: ContainerHandler) -> Int { handlers.filter { $0 == handler }.count }
}
