import APIMachinery
import ControllerRuntime
@testable import Controllers
import Foundation
import KubeliteTesting
import XCTest

/// The controller keeps converging when its informers' watches end: they list again after the
/// reflector's backoff and hand the controller what changed meanwhile.
final class StatefulSetRelistTests: XCTestCase {
    func testControllerConvergesAfterEveryWatchIsCut() throws {
        let h = try StatefulSetHarness()
        try h.create(StatefulSetHarness.statefulSet("r", replicas: 2, policy: "Parallel"))
        h.waitUntil("two pods") { h.podNames("r") == ["r-0", "r-1"] }
        h.waitUntil("status replicas 2") { h.status("r")["replicas"]?.intValue == 2 }
        h.settle()

        // Every watch ends (a restarting watch cache): changes made now reach no informer ...
        h.registry.stopWatches()
        try h.modifySet("r") { $0[path: "spec", "replicas"] = 3 }
        try h.deletePod("r-1")
        h.settle()
        XCTAssertEqual(h.podNames("r"), ["r-0"], "no informer saw the changes")

        // ... until the relists after the backoff, which the manual clock brings.
        h.waitUntil("three pods again", tick: .milliseconds(200)) { h.podNames("r") == ["r-0", "r-1", "r-2"] }
        h.waitUntil("status replicas 3", tick: .milliseconds(200)) { h.status("r")["replicas"]?.intValue == 3 }
        // The controller's pod cache holds what storage holds, the recreated r-1 included.
        let cache = h.context.informer(StatefulSetController.pods)
        h.waitUntil("the pod cache caught up") {
            cache.list(namespace: "default").map(\.meta.name).sorted() == ["r-0", "r-1", "r-2"]
                && cache.get(namespace: "default", name: "r-1")?.meta.uid == h.pod("r-1")?.meta.uid
        }
    }
}
