import APIMachinery
import ControllerRuntime
import Foundation
import Registry
import Storage

/// A `ListerWatcher` over a real resource store that a test can break: it keeps each watch's
/// handle so the test can cut the current one, and answers the next watches with 410 Expired when
/// told to, as a server whose history has moved past the list's revision would.
final class ScriptedListerWatcher: ListerWatcher, @unchecked Sendable {
    let source: ResourceStoreListerWatcher
    private let lock = NSLock()
    private var handles: [any StoppableWatch] = []
    private var lists = 0
    private var expiring = 0

    init(store: ResourceStore) {
        source = ResourceStoreListerWatcher(store: store)
    }

    var resource: String { source.resource }

    /// How many lists the informer has made.
    var listCount: Int { lock.withLock { lists } }

    /// How many watches have started (expired ones not counted).
    var watchCount: Int { lock.withLock { handles.count } }

    /// The next `count` watches fail at once with 410 Expired.
    func expireNextWatches(_ count: Int) { lock.withLock { expiring = count } }

    /// Ends the newest watch from the client's side; the hub then calls its consumer's `finish`.
    func cutWatch() { lock.withLock { handles.last }?.stop() }

    func list() throws -> ListedObjects {
        lock.withLock { lists += 1 }
        return try source.list()
    }

    func watch(after revision: Int64, consumer: any WatchConsumer) -> any StoppableWatch {
        let expire = lock.withLock { () -> Bool in
            guard expiring > 0 else { return false }
            expiring -= 1
            return true
        }
        if expire {
            consumer.fail(.expired(requested: revision, oldest: revision + 1))
            return NoWatch()
        }
        let handle = source.watch(after: revision, consumer: consumer)
        lock.withLock { handles.append(handle) }
        return handle
    }

    private struct NoWatch: StoppableWatch { func stop() {} }
}

/// What an informer's handlers saw: `+name` added, `~name` updated, `-name` deleted.
final class HandlerLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []

    var all: [String] { lock.withLock { entries } }

    var handler: Informer.Handler {
        Informer.Handler(added: { self.append("+\(Self.name($0))") },
                         updated: { _, new in self.append("~\(Self.name(new))") },
                         deleted: { self.append("-\(Self.name($0))") })
    }

    static func name(_ object: JSON) -> String { object[path: "metadata", "name"]?.stringValue ?? "" }

    private func append(_ entry: String) { lock.withLock { entries.append(entry) } }
}
