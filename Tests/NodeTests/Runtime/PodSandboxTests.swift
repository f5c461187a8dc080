import Foundation
import KubeliteTesting
@testable import Node
import Synchronization
import XCTest

final class PodSandboxTests: XCTestCase {
    var root = ""
    var sandboxes: [PodSandbox] = []

    override func setUpWithError() throws {
        try RuntimeTestSupport.requireNamespaces()
        root = RuntimeTestSupport.temporaryRoot()
    }

    override func tearDown() {
        for s in sandboxes { s.stop() }
        try? FileManager.default.removeItem(atPath: root)
    }

    func sandbox(_ hostname: String, mounts: [PodSandbox.Mount] = []) throws -> PodSandbox {
        let s = try PodSandbox.start(hostname: hostname, mounts: mounts, runtimeRoot: root)
        sandboxes.append(s)
        return s
    }

    /// Runs `argv` in `sandbox` and waits for its end.
    func run(_ argv: [String], in sandbox: PodSandbox, log: String = "run.log") throws -> (ContainerTermination, String) {
        let ended = Mutex<ContainerTermination?>(nil)
        let launch = ContainerLaunch(argv: argv, env: ["PATH=\(ContainerLaunch.defaultPath)"], workingDir: "/")
        _ = try ContainerProcess.Launcher().start(launch, in: sandbox, logPath: "\(root)/\(log)") { t in ended.withLock { $0 = t } }
        waitUntil("\(argv) ends", timeout: 10) { ended.withLock { $0 != nil } }
        return (try XCTUnwrap(ended.withLock { $0 }), RuntimeTestSupport.logText("\(root)/\(log)"))
    }

    func testThePodHasItsOwnHostnameAndPIDNamespace() throws {
        let s = try sandbox("redis-sts-0")
        let (end, log) = try run(["sh", "-c", "hostname; echo pid $$; echo oops >&2"], in: s)
        XCTAssertEqual(end.exitCode, 0)
        XCTAssertEqual(end.reason, "Completed")
        let lines = log.split(separator: "\n").compactMap { CRILogLine.parse(Array($0.utf8)[...]) }
        let texts = lines.map { String(decoding: $0.text, as: UTF8.self) }.sorted()
        XCTAssertEqual(texts.count, 3)
        XCTAssertEqual([texts[0], texts[2]], ["oops", "redis-sts-0"])
        // The sandbox's setup ran a few commands before it; host PIDs are far higher.
        XCTAssertLessThan(Int(texts[1].dropFirst(4)) ?? 1000, 10, texts[1])
        XCTAssertEqual(Set(lines.map(\.stream)), ["stdout", "stderr"])
        XCTAssertTrue(lines.allSatisfy(\.complete))
    }

    func testExitCodesAndSignalsAreReportedAsTheKubeletDoes() throws {
        let s = try sandbox("codes")
        XCTAssertEqual(try run(["sh", "-c", "exit 3"], in: s).0.exitCode, 3)
        XCTAssertEqual(try run(["sh", "-c", "exit 3"], in: s).0.reason, "Error")
        // Killed from outside (the container's main process is PID 1 of its own namespace, which
        // only a signal from an ancestor namespace can kill).
        let ended = Mutex<ContainerTermination?>(nil)
        let launch = ContainerLaunch(argv: ["sleep", "300"], env: ["PATH=\(ContainerLaunch.defaultPath)"], workingDir: "/")
        let c = try ContainerProcess.Launcher().start(launch, in: s, logPath: "\(root)/k.log") { t in ended.withLock { $0 = t } }
        waitUntil("sleep runs", timeout: 10) { (c as? ContainerProcess)?.mainPID != nil }
        c.signal(SIGKILL)
        waitUntil("killed", timeout: 10) { ended.withLock { $0 != nil } }
        XCTAssertEqual(ended.withLock { $0?.exitCode }, 137)
        XCTAssertEqual(ended.withLock { $0?.reason }, "Error")
    }

    func testTheWorkingDirectoryIsTheVolumeMountedThere() throws {
        // nsenter's --wd would open the host's directory underneath the mount: every redis pod wrote
        // its dump.rdb into the host's /data.
        let volume = "\(root)/volume", target = "\(root)/data"
        try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true)
        let s = try sandbox("wd", mounts: [.init(source: volume, target: target, readOnly: false)])
        let ended = Mutex<ContainerTermination?>(nil)
        let launch = ContainerLaunch(argv: ["touch", "dump.rdb"], env: ["PATH=\(ContainerLaunch.defaultPath)"], workingDir: target)
        _ = try ContainerProcess.Launcher().start(launch, in: s, logPath: "\(root)/wd.log") { t in ended.withLock { $0 = t } }
        waitUntil("touch ends", timeout: 10) { ended.withLock { $0 != nil } }
        XCTAssertEqual(ended.withLock { $0?.exitCode }, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(volume)/dump.rdb"), "written into the volume")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(target)/dump.rdb"), "not into the host's directory underneath")
    }

    func testAPodWithItsOwnRootWritesOverTheHostWithoutTouchingIt() throws {
        guard PodSandbox.overlayRootWorks(in: root) else { throw XCTSkip("the kernel does not allow an overlay over /") }
        let volume = "\(root)/volume"
        try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true)
        let target = "/kubelite-unit-\(UUID().uuidString.prefix(8))"
        // On Debian /var/run links to /run: the target resolves in the pod's root.
        let linked = "/var/run/kubelite-unit-\(UUID().uuidString.prefix(8))"
        let s = try PodSandbox.start(hostname: "own-root", mounts: [.init(source: volume, target: target, readOnly: false),
                                                                    .init(source: volume, target: linked, readOnly: true)],
                                     rootDirectory: "\(root)/pod-root", runtimeRoot: root)
        sandboxes.append(s)
        let (end, _) = try run(["sh", "-c", "echo pod > /etc/kubelite-unit-marker && echo v > \(target)/f"], in: s)
        XCTAssertEqual(end.exitCode, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/kubelite-unit-marker"), "the host's /etc is untouched")
        XCTAssertFalse(FileManager.default.fileExists(atPath: target), "the mount point is made in the pod's root")
        XCTAssertFalse(FileManager.default.fileExists(atPath: linked), "a linked mount point too")
        XCTAssertTrue(try run(["cat", "\(linked)/f"], in: s).1.hasSuffix("stdout F v\n"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(root)/pod-root/upper/etc/kubelite-unit-marker"), "kept in the upper directory")
        XCTAssertEqual(try String(contentsOfFile: "\(volume)/f", encoding: .utf8), "v\n")
    }

    func testAMissingProgramIsRuncsError() throws {
        let s = try sandbox("missing")
        XCTAssertThrowsError(try run(["nosuch"], in: s)) {
            XCTAssertEqual("\($0)", "exec: \"nosuch\": executable file not found in $PATH")
        }
    }

    func testTwoPodsListenOnTheSamePort() throws {
        let a = try sandbox("a"), b = try sandbox("b")
        let script = "python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 6379)); s.listen(); print(\"listening\")'"
        XCTAssertEqual(try run(["sh", "-c", script], in: a).0.exitCode, 0)
        // Both hold the port at the same time: one listener stays while the other binds.
        let holder = ContainerLaunch(argv: ["python3", "-c", "import socket,time; s=socket.socket(); s.bind(('127.0.0.1', 6379)); s.listen(); print('up', flush=True); time.sleep(30)"],
                                     env: ["PATH=\(ContainerLaunch.defaultPath)"], workingDir: "/")
        let holding = try ContainerProcess.Launcher().start(holder, in: a, logPath: "\(root)/holder.log") { _ in }
        waitUntil("holder listens", timeout: 10) { RuntimeTestSupport.logText("\(root)/holder.log").contains("up") }
        let (other, log) = try run(["sh", "-c", script], in: b, log: "b.log")
        XCTAssertEqual(other.exitCode, 0, log)
        holding.signal(SIGKILL)
    }

    func testVolumesAreBindMountedReadOnlyWhenAsked() throws {
        let data = "\(root)/volumes/pv-1", config = "\(root)/volumes/config"
        for d in [data, config] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try "x".write(toFile: "\(config)/setting", atomically: true, encoding: .utf8)
        let s = try sandbox("vol", mounts: [.init(source: data, target: "\(root)/mnt/data", readOnly: false),
                                           .init(source: config, target: "\(root)/mnt/config", readOnly: true)])
        XCTAssertEqual(try run(["sh", "-c", "echo saved > \(root)/mnt/data/key"], in: s).0.exitCode, 0)
        XCTAssertEqual(try String(contentsOfFile: "\(data)/key", encoding: .utf8), "saved\n")
        XCTAssertNotEqual(try run(["sh", "-c", "echo y > \(root)/mnt/config/setting"], in: s).0.exitCode, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(root)/mnt/data/key"), "the mount is the pod's only")
    }

    func testStoppingTheSandboxEndsEveryProcessOfThePod() throws {
        let s = try sandbox("stop")
        let ended = Mutex<ContainerTermination?>(nil)
        let launch = ContainerLaunch(argv: ["sleep", "300"], env: ["PATH=\(ContainerLaunch.defaultPath)"], workingDir: "/")
        _ = try ContainerProcess.Launcher().start(launch, in: s, logPath: "\(root)/sleep.log") { t in ended.withLock { $0 = t } }
        waitUntil("sleep runs", timeout: 10) { ProcFS.processes(withEnvironment: PodSandbox.markerVariable, value: root).count >= 2 }
        s.stop()
        sandboxes.removeAll()
        waitUntil("the container ends", timeout: 10) { ended.withLock { $0 != nil } }
        XCTAssertEqual(ended.withLock { $0?.exitCode }, 137)
        waitUntil("nothing is left", timeout: 10) { ProcFS.processes(withEnvironment: PodSandbox.markerVariable, value: root).isEmpty }
    }
}

extension PodSandboxTests {
    func testAContainerWithATerminalTakesInputAndWritesItsOutputToTheLog() throws {
        let s = try sandbox("tty")
        let ended = Mutex<ContainerTermination?>(nil)
        var launch = ContainerLaunch(argv: ["sh"], env: ["PATH=\(ContainerLaunch.defaultPath)", "PS1=$ "], workingDir: "/")
        launch.stdin = true
        launch.tty = true
        let c = try ContainerProcess.Launcher().start(launch, in: s, logPath: "\(root)/tty.log") { t in ended.withLock { $0 = t } }
        waitUntil("the shell runs", timeout: 10) { c.pid != nil }
        c.writeStdin(Array("echo typed-$((40+2))\nexit 7\n".utf8))
        waitUntil("the shell ends", timeout: 10) { ended.withLock { $0 != nil } }
        let log = RuntimeTestSupport.logText("\(root)/tty.log")
        XCTAssertEqual(ended.withLock { $0?.exitCode }, 7, log)
        XCTAssertTrue(log.contains("typed-42"), log)
    }

    func testStdinWithoutATerminalIsAPipeThatCloses() throws {
        let s = try sandbox("pipe")
        let ended = Mutex<ContainerTermination?>(nil)
        var launch = ContainerLaunch(argv: ["cat"], env: ["PATH=\(ContainerLaunch.defaultPath)"], workingDir: "/")
        launch.stdin = true
        let c = try ContainerProcess.Launcher().start(launch, in: s, logPath: "\(root)/pipe.log") { t in ended.withLock { $0 = t } }
        c.writeStdin(Array("through\n".utf8))
        c.closeStdin()
        waitUntil("cat ends at EOF", timeout: 10) { ended.withLock { $0 != nil } }
        XCTAssertEqual(ended.withLock { $0?.exitCode }, 0)
        XCTAssertTrue(RuntimeTestSupport.logText("\(root)/pipe.log").hasSuffix("stdout F through\n"))
    }
}
