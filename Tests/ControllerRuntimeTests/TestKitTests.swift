import Foundation
import KubeliteTesting
import XCTest

/// The test kit's barrier and gate order threads by events.
final class TestKitTests: XCTestCase {
    func testBarrierReleasesEveryWaiterOnceSignalled() {
        let barrier = Barrier()
        XCTAssertFalse(barrier.wait(timeout: 0.01))
        let released = DispatchGroup()
        for _ in 0..<3 {
            released.enter()
            Thread { barrier.wait(); released.leave() }.start()
        }
        barrier.signal()
        XCTAssertEqual(released.wait(timeout: .now() + 5), .success)
        XCTAssertTrue(barrier.wait(timeout: 0), "later waits return at once")
    }

    func testGateHoldsAThreadUntilOpened() {
        let gate = Gate()
        let passed = Barrier()
        Thread { gate.pass(); passed.signal() }.start()
        XCTAssertTrue(gate.waitForArrival())
        XCTAssertFalse(passed.wait(timeout: 0.05), "held at the gate")
        gate.open()
        XCTAssertTrue(passed.wait())
    }
}
