import APIMachinery
import Dispatch
import Foundation
import Logging
import Storage

/// Keeps an informer's cache in step with a `ListerWatcher`, as client-go's reflector does: list,
/// replace the cache (handlers see the differences), watch from the list's revision; when the watch
/// fails (410 Expired, too large a revision) or ends, pause (`ReflectorBackoff`, on the injected
/// timers) and start over. Each watch carries a generation: events of a watch that was replaced
/// are dropped, so no change is applied twice or after a newer list.
final class Reflector: @unchecked Sendable {
    private let source: any ListerWatcher
    private let informer: Informer
    private let timers: any Timers
    private let logger: Logger
    private let random: @Sendable () -> Double
    /// Lists run here, never on the hub's thread or a timer's.
    private let queue: DispatchQueue
    /// Guards the fields below and orders a relist's replacement against a watch's events.
    private let lock = NSLock()
    private var generation = 0
    private var watch: (any StoppableWatch)?
    private var backoff = ReflectorBackoff()
    private var stopped = false

    init(source: any ListerWatcher, informer: Informer, timers: any Timers, logger: Logger,
         random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.source = source; self.informer = informer; self.timers = timers
        self.logger = logger; self.random = random
        queue = DispatchQueue(label: "kubelite.reflector.\(source.resource)")
    }

    /// Lists and watches now (asynchronously); the informer reports synced after the first list.
    func start() { queue.async { self.listAndWatch() } }

    /// Ends the current watch; no further list or watch starts.
    func stop() {
        let current = lock.withLock { () -> (any StoppableWatch)? in
            stopped = true
            generation += 1
            defer { watch = nil }
            return watch
        }
        current?.stop()
    }

    private func listAndWatch() {
        let listed: ListedObjects
        do {
            listed = try source.list()
        } catch {
            logger.warning("informer list failed", metadata: ["resource": "\(source.resource)", "error": "\(error)"])
            retryLater()
            return
        }
        guard let generation = replace(with: listed) else { return }
        let started = source.watch(after: listed.revision, consumer: ReflectorWatch(reflector: self, generation: generation))
        let isCurrent = lock.withLock { () -> Bool in
            guard self.generation == generation, !stopped else { return false }
            watch = started
            return true
        }
        // The watch already ended (a source may fail it while starting) or was replaced.
        if !isCurrent { started.stop() }
    }

    /// Opens a new generation and replaces the cache with the list; nil when stopped.
    private func replace(with listed: ListedObjects) -> Int? {
        lock.withLock { () -> Int? in
            guard !stopped else { return nil }
            generation += 1
            informer.replace(listed.items, revision: listed.revision)
            return generation
        }
    }

    /// Applies an event of watch `generation`; false tells the source to drop a replaced watch.
    func deliver(_ event: WatchEvent, generation: Int) -> Bool {
        lock.withLock {
            guard self.generation == generation, !stopped else { return false }
            _ = informer.receive(event)
            return true
        }
    }

    func bookmark(revision: Int64, generation: Int) -> Bool {
        lock.withLock {
            guard self.generation == generation, !stopped else { return false }
            _ = informer.bookmark(revision: revision, initialEventsEnd: false)
            return true
        }
    }

    /// Watch `generation` failed or ended: unless it was already replaced, list again after a pause.
    func watchEnded(generation: Int, reason: String) {
        let isCurrent = lock.withLock { () -> Bool in
            guard self.generation == generation, !stopped else { return false }
            self.generation += 1
            watch = nil
            return true
        }
        guard isCurrent else { return }
        logger.debug("informer watch ended, relisting", metadata: ["resource": "\(source.resource)", "reason": "\(reason)"])
        retryLater()
    }

    private func retryLater() {
        let pause = lock.withLock { backoff.pause(now: timers.now(), random: random()) }
        timers.after(pause) { [self] in queue.async { self.listAndWatch() } }
    }
}

/// One watch of a reflector: forwards to it with the generation the watch belongs to.
private final class ReflectorWatch: WatchConsumer {
    let reflector: Reflector
    let generation: Int

    init(reflector: Reflector, generation: Int) { self.reflector = reflector; self.generation = generation }

    func receive(_ event: WatchEvent) -> Bool { reflector.deliver(event, generation: generation) }
    func bookmark(revision: Int64, initialEventsEnd: Bool) -> Bool { reflector.bookmark(revision: revision, generation: generation) }
    func fail(_ failure: WatchFailure) { reflector.watchEnded(generation: generation, reason: "\(failure)") }
    func finish() { reflector.watchEnded(generation: generation, reason: "finished") }
}
