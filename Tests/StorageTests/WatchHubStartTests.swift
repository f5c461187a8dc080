import APIMachinery
import Foundation
import KubeliteTesting
import Storage
import XCTest

/// Where a watch starts (current state, a revision, the initial-events bookmark) and how it ends
/// (expired or too new a revision, timeouts), plus periodic bookmarks.
final class WatchHubStartTests: XCTestCase {
    func testResumingAfterARevisionDeliversExactlyTheLaterEvents() throws {
        let storage = MemoryStorage()
        let hub = WatchHub(storage: storage)
        let a = try storage.create(.configMap("a"), configMap("a"))
        _ = try storage.create(StorageKey(resource: "secrets", namespace: "default", name: "s"), [:])
        let b = try storage.create(.configMap("b"), configMap("b"))
        let a2 = try storage.update(.configMap("a"), expectedRevision: nil, configMap("a", data: ["v": "2"]))
        let bGone = try storage.delete(.configMap("b"), expectedRevision: nil)

        let watcher = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .after(b.revision)), consumer: watcher, timeout: nil)
        let live = try storage.create(.configMap("c"), configMap("c"))
        XCTAssertEqual(watcher.waitForEvents(3), [
            .event(type: "MODIFIED", name: "a", revision: a2.revision),
            .event(type: "DELETED", name: "b", revision: bGone.revision),
            .event(type: "ADDED", name: "c", revision: live.revision),
        ])
        XCTAssertGreaterThan(b.revision, a.revision)

        // Resuming from the newest revision delivers nothing until the next change.
        let idle = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .after(live.revision)), consumer: idle, timeout: nil)
        let next = try storage.update(.configMap("c"), expectedRevision: nil, configMap("c", data: ["v": "2"]))
        XCTAssertEqual(idle.waitForEvents(1), [.event(type: "MODIFIED", name: "c", revision: next.revision)])
    }

    func testACompactedRevisionExpires() throws {
        let storage = MemoryStorage(historyLimit: 3)
        let hub = WatchHub(storage: storage)
        let start = storage.currentRevision
        for name in ["a", "b", "c", "d", "e"] { _ = try storage.create(.configMap(name), configMap(name)) }
        let watcher = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .after(start)), consumer: watcher, timeout: nil)
        let seen = watcher.wait("the watch to fail") { !$0.isEmpty }
        // Five events in a ring of three: revisions up to start+2 are no longer complete.
        XCTAssertEqual(seen, [.failed(.expired(requested: start, oldest: start + 2))])
        XCTAssertEqual(hub.watcherCount, 0)

        // The oldest revision still covered works.
        let ok = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .after(start + 2)), consumer: ok, timeout: nil)
        XCTAssertEqual(ok.waitForEvents(3).count, 3)
    }

    func testARevisionNewerThanAnyWriteFails() throws {
        let storage = MemoryStorage()
        let hub = WatchHub(storage: storage)
        let current = storage.currentRevision
        let watcher = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .after(current + 100)), consumer: watcher, timeout: nil)
        let seen = watcher.wait("the watch to fail") { !$0.isEmpty }
        XCTAssertEqual(seen, [.failed(.tooLargeResourceVersion(requested: current + 100, current: current))])
        XCTAssertEqual(hub.watcherCount, 0)
    }

    func testInitialStateThenTheInitialEventsEndBookmarkThenChanges() throws {
        let storage = MemoryStorage()
        let hub = WatchHub(storage: storage)
        let b = try storage.create(.configMap("b"), configMap("b"))
        let a = try storage.create(.configMap("a"), configMap("a"))
        _ = try storage.create(.configMap("elsewhere", namespace: "other"), configMap("elsewhere"))
        let snapshot = storage.currentRevision

        let watcher = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: "default", start: .initialEventsWithBookmark, bookmarks: true),
                  consumer: watcher, timeout: nil)
        watcher.wait("the initial-events-end bookmark") { $0.contains(.bookmark(revision: snapshot, initialEventsEnd: true)) }
        let later = try storage.delete(.configMap("a"), expectedRevision: nil)
        watcher.waitForEvents(3)
        XCTAssertEqual(watcher.all, [
            .event(type: "ADDED", name: "a", revision: a.revision),
            .event(type: "ADDED", name: "b", revision: b.revision),
            .bookmark(revision: snapshot, initialEventsEnd: true),
            .event(type: "DELETED", name: "a", revision: later.revision),
        ])
    }

    func testCurrentStateHasNoBookmarkAndMostRecentHasNoInitialEvents() throws {
        let storage = MemoryStorage()
        let hub = WatchHub(storage: storage)
        let a = try storage.create(.configMap("a"), configMap("a"))
        let current = RecordingConsumer(), recent = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .currentState, bookmarks: true), consumer: current, timeout: nil)
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .mostRecent), consumer: recent, timeout: nil)
        waitUntil("both watches registered") { hub.watcherCount == 2 }
        let b = try storage.create(.configMap("b"), configMap("b"))
        XCTAssertEqual(current.waitForEvents(2), [
            .event(type: "ADDED", name: "a", revision: a.revision),
            .event(type: "ADDED", name: "b", revision: b.revision),
        ])
        XCTAssertEqual(recent.waitForEvents(1), [.event(type: "ADDED", name: "b", revision: b.revision)])
        XCTAssertEqual(current.all.count, 2, "unexpected bookmark: \(current.all)")
    }

    func testPeriodicBookmarksOnlyForWatchersThatAllowThem() throws {
        let storage = MemoryStorage()
        var configuration = WatchHub.Configuration()
        configuration.bookmarkInterval = .milliseconds(50)
        let hub = WatchHub(storage: storage, configuration: configuration)
        let withBookmarks = RecordingConsumer(), without = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .mostRecent, bookmarks: false), consumer: without, timeout: nil)
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .mostRecent, bookmarks: true), consumer: withBookmarks, timeout: nil)
        let first = storage.currentRevision
        withBookmarks.wait("a first bookmark") { $0.contains(.bookmark(revision: first, initialEventsEnd: false)) }
        let change = try storage.create(.configMap("a"), configMap("a"))
        let seen = withBookmarks.wait("a bookmark after the change") { $0.contains(.bookmark(revision: change.revision, initialEventsEnd: false)) }
        XCTAssertEqual(seen.filter { if case .event = $0 { return true } else { return false } },
                       [.event(type: "ADDED", name: "a", revision: change.revision)])
        XCTAssertEqual(without.all, [.event(type: "ADDED", name: "a", revision: change.revision)],
                       "a watcher without allowWatchBookmarks got bookmarks")
    }

    func testBookmarksNeverGoBehindWhatTheWatcherWasSent() throws {
        let storage = MemoryStorage()
        var configuration = WatchHub.Configuration()
        configuration.bookmarkInterval = .milliseconds(50)
        let hub = WatchHub(storage: storage, configuration: configuration)
        let watcher = RecordingConsumer()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .currentState, bookmarks: true), consumer: watcher, timeout: nil)
        var last: Int64 = 0
        for i in 0..<20 { last = try storage.create(.configMap("c\(i)"), configMap("c\(i)")).revision }
        let seen = watcher.wait("a bookmark at the newest revision") { $0.contains(.bookmark(revision: last, initialEventsEnd: false)) }
        var highest: Int64 = 0
        for item in seen {
            switch item {
            case .event(_, _, let revision): highest = max(highest, revision)
            case .bookmark(let revision, _): XCTAssertGreaterThanOrEqual(revision, highest, "bookmark went back: \(seen)")
            default: XCTFail("unexpected \(item)")
            }
        }
    }

    func testTimeoutsEndTheWatch() throws {
        let storage = MemoryStorage()
        var configuration = WatchHub.Configuration()
        configuration.bookmarkInterval = .milliseconds(50)
        let hub = WatchHub(storage: storage, configuration: configuration)
        let short = RecordingConsumer(), negative = RecordingConsumer(), long = RecordingConsumer()
        let started = Date()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .mostRecent), consumer: short, timeout: .milliseconds(300))
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .mostRecent), consumer: negative, timeout: .seconds(-1))
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .mostRecent), consumer: long, timeout: .seconds(60))
        short.wait("the short watch to time out") { $0.contains(.finished) }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.3)
        XCTAssertEqual(negative.all, [.finished])
        XCTAssertEqual(long.all, [])
        XCTAssertEqual(hub.watcherCount, 1)
    }

    func testTheDefaultTimeoutIsTheMinimumRequestTimeoutRandomisedUpToTwice() throws {
        let storage = MemoryStorage()
        var configuration = WatchHub.Configuration()
        configuration.minRequestTimeout = .milliseconds(200)
        configuration.bookmarkInterval = .milliseconds(50)
        let hub = WatchHub(storage: storage, configuration: configuration)
        let watcher = RecordingConsumer()
        let started = Date()
        hub.watch(WatchRequest(resource: "configmaps", namespace: nil, start: .mostRecent), consumer: watcher, timeout: nil)
        watcher.wait("the default timeout") { $0.contains(.finished) }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(elapsed, 0.2)
        XCTAssertLessThan(elapsed, 2)
    }
}
