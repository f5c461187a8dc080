import Foundation
import Synchronization
import XCTest
@testable import Node

final class ChildProcessTests: XCTestCase {
    func isCloseOnExec(_ fd: Int32) -> Bool { fcntl(fd, F_GETFD) & FD_CLOEXEC != 0 }

    func testChildPipesAreCloseOnExecFromTheStartWhereFoundationsAreNot() throws {
        // The premise: a Foundation Pipe reaches any child spawned before Foundation lists it.
        let foundation = Pipe()
        XCTAssertFalse(isCloseOnExec(foundation.fileHandleForWriting.fileDescriptor))
        let pipe = try ChildPipe()
        XCTAssertTrue(isCloseOnExec(pipe.fileHandleForReading.fileDescriptor))
        XCTAssertTrue(isCloseOnExec(pipe.fileHandleForWriting.fileDescriptor))
    }

    func testRunningAChildMarksKubelitesOtherDescriptorsCloseOnExec() throws {
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        XCTAssertFalse(isCloseOnExec(fds[1]))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.runWithoutInheritedDescriptors()
        process.waitUntilExit()
        XCTAssertTrue(isCloseOnExec(fds[0]))
        XCTAssertTrue(isCloseOnExec(fds[1]))
    }

    func testAChildsOutputEndsWhenItExits() throws {
        let out = try ChildPipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "echo hello"]
        process.standardOutput = out.fileHandleForWriting
        try process.runWithoutInheritedDescriptors(closingInParent: [out.fileHandleForWriting])
        // readToEnd returns only once every write end is closed: ours went with the spawn.
        XCTAssertEqual(try out.fileHandleForReading.readToEnd(), Data("hello\n".utf8))
        process.waitUntilExit()
    }

    func testShortChildrenEndWhileLongOnesAreSpawnedBesideThem() throws {
        // Foundation learns of a child's end when the child's end of its socket pair closes: a
        // long-lived child spawned at the same moment must not hold the short one's.
        let ended = DispatchSemaphore(value: 0)
        let sleepers = Mutex<[Process]>([])
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: i % 2 == 0 ? "/bin/true" : "/bin/sleep")
            process.arguments = i % 2 == 0 ? [] : ["30"]
            if i % 2 == 0 { process.terminationHandler = { _ in ended.signal() } }
            try? process.runWithoutInheritedDescriptors()
            if i % 2 == 1 { sleepers.withLock { $0.append(process) } }
        }
        defer { sleepers.withLock { $0.forEach { $0.terminate() } } }
        for n in 0..<20 {
            XCTAssertEqual(ended.wait(timeout: .now() + 10), .success, "\(n) of 20 short children reported their end")
        }
    }
}
