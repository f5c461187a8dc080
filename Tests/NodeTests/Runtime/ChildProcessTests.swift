import Foundation
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
}
