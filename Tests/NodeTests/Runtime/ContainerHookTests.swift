import APIMachinery
import Foundation
import KubeliteTesting
import Registry
@testable import Node
import XCTest

/// preStop and postStart hooks on a manual clock with a launcher and handler runner that run nothing.
final class ContainerHookTests: ContainerHandlerTestCase {
    func testPreStopRunsBeforeSIGTERMOnDeletion() throws {
        runner.answer { _ in nil }
        try createPod("hooked", container: ["lifecycle": ["preStop": ["exec": ["command": ["drain"]]]]])
        waitUntil("running") { self.status("hooked")?[path: "state", "running"] != nil }
        _ = try cluster.store("pods").delete(namespace: "default", name: "hooked", options: DeleteOptions())
        waitUntil("preStop runs") { self.runner.count(.exec(command: ["drain"])) == 1 }
        cluster.settle()
        XCTAssertEqual(launcher.last("main")?.signals.withLock { $0 }, [], "SIGTERM waits for the hook")
        runner.calls.withLock { $0[0] }.completion(HandlerOutcome(success: true, output: "", exitCode: 0))
        waitUntil("gone") { self.cluster.pod("hooked") == nil }
        XCTAssertEqual(launcher.last("main")?.signals.withLock { $0 }, [SIGTERM])
    }

    func testAFailedPreStopHookIsAnEventAndSIGTERMFollows() throws {
        runner.answer { _ in HandlerOutcome(success: false, output: "no drain\n", exitCode: 1) }
        try createPod("badhook", container: ["lifecycle": ["preStop": ["exec": ["command": ["sh", "-c", "exit 1"]]]]])
        waitUntil("running") { self.status("badhook")?[path: "state", "running"] != nil }
        let uid = cluster.pod("badhook")!.meta.uid
        _ = try cluster.store("pods").delete(namespace: "default", name: "badhook", options: DeleteOptions())
        waitUntil("gone") { self.cluster.pod("badhook") == nil }
        waitUntil("event") { !self.messages("badhook", "FailedPreStopHook").isEmpty }
        XCTAssertEqual(messages("badhook", "FailedPreStopHook"),
                       ["Exec lifecycle hook ([sh -c exit 1]) for Container \"c\" in Pod \"badhook_default(\(uid))\" failed - error: command 'sh -c exit 1' exited with 1: , message: \"no drain\\n\""])
        XCTAssertEqual(launcher.last("main")?.signals.withLock { $0 }, [SIGTERM])
    }

    func testAPreStopHookStillRunningWhenTheGracePeriodEndsIsCutShort() throws {
        runner.answer { _ in nil }
        try createPod("slowhook", container: ["lifecycle": ["preStop": ["httpGet": ["path": "/drain", "port": 8080]]]])
        waitUntil("running") { self.status("slowhook")?[path: "state", "running"] != nil }
        var options = DeleteOptions()
        options.gracePeriodSeconds = 10
        _ = try cluster.store("pods").delete(namespace: "default", name: "slowhook", options: options)
        waitUntil("preStop runs") { self.runner.handlers.count == 1 }
        cluster.advance(.seconds(10))
        waitUntil("gone") { self.cluster.pod("slowhook") == nil }
        XCTAssertEqual(launcher.last("main")?.signals.withLock { $0 }, [SIGKILL])
    }

    func testAFailedPostStartHookKillsTheContainer() throws {
        runner.answer { h in h == .exec(command: ["setup"]) ? HandlerOutcome(success: false, output: "", exitCode: 2) : nil }
        try createPod("post", container: ["lifecycle": ["postStart": ["exec": ["command": ["setup"]]]]])
        waitUntil("restarted") { self.status("post")?["restartCount"]?.intValue == 1 }
        waitUntil("events") { !self.messages("post", "FailedPostStartHook").isEmpty && !self.messages("post", "Killing").isEmpty }
        XCTAssertTrue(messages("post", "FailedPostStartHook")[0].hasPrefix("Exec lifecycle hook ([setup]) for Container \"c\" in Pod \"post_default("))
        XCTAssertEqual(messages("post", "Killing").first, "FailedPostStartHook")
    }
}
