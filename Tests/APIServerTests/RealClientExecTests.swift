import APIMachinery
import Foundation
import KubeliteTesting
import Registry
import XCTest

/// The wire protocols proven with the real clients: the machine's kubectl 1.32 (WebSocket v5) and
/// the official Python client's `stream()` (v4), run as subprocesses against a live API server
/// whose node connection is the fake one.
final class RealClientExecTests: XCTestCase {
    var server: LiveAPIServer!
    let node = FakePodConnection()
    var home: URL!

    static let kubectl = "/usr/bin/kubectl"

    override func setUpWithError() throws {
        server = try LiveAPIServer.withNode(node, pods: ["web-0", "simulated"])
        home = FileManager.default.temporaryDirectory.appendingPathComponent("kubelite-exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let kubeconfig = """
            apiVersion: v1
            kind: Config
            clusters: [{name: k, cluster: {server: "http://127.0.0.1:\(server.port)"}}]
            users: [{name: u, user: {}}]
            contexts: [{name: k, context: {cluster: k, user: u, namespace: default}}]
            current-context: k
            """
        try kubeconfig.write(to: home.appendingPathComponent("config"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        server.stop()
        try? FileManager.default.removeItem(at: home)
    }

    struct Run { var code: Int32; var stdout: String; var stderr: String }

    /// Starts a client; `finish` waits (bounded) for it and collects its output.
    final class Client {
        let process = Process()
        let out = Pipe(), err = Pipe(), input = Pipe()
        init(_ executable: String, _ arguments: [String], home: URL) throws {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = ["HOME": home.path, "KUBECONFIG": home.appendingPathComponent("config").path,
                                   "PATH": "/usr/bin:/bin"]
            process.standardOutput = out; process.standardError = err; process.standardInput = input
            try process.run()
        }
        func finish(stdin: String = "", timeout: TimeInterval = 30) -> Run {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try? input.fileHandleForWriting.close()
            // Output is small; read after exit. The deadline keeps a hung client from hanging the suite.
            if !waitUntil("the client exits", timeout: timeout, { !process.isRunning }) { process.terminate(); process.waitUntilExit() }
            return Run(code: process.terminationStatus,
                       stdout: String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                       stderr: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
    }

    func kubectl(_ arguments: [String], stdin: String = "") throws -> Run {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Self.kubectl), "kubectl is not installed")
        return try Client(Self.kubectl, arguments, home: home).finish(stdin: stdin)
    }

    func testKubectlExecPrintsTheOutputAndExitsWithTheCommandsCode() throws {
        let hostname = try kubectl(["exec", "web-0", "--", "hostname"])
        XCTAssertEqual(hostname.code, 0, hostname.stderr)
        XCTAssertEqual(hostname.stdout, "web-0\n")

        let both = try kubectl(["exec", "web-0", "-c", "app", "--", "printf-both"])
        XCTAssertEqual(both.stdout, "out\n")
        XCTAssertEqual(both.stderr, "err\n")

        let exit3 = try kubectl(["exec", "web-0", "--", "sh", "-c", "exit 3"])
        XCTAssertEqual(exit3.code, 3, exit3.stderr)
        XCTAssertEqual(exit3.stderr, "command terminated with exit code 3\n")
    }

    func testKubectlExecStdinReachesTheCommandAndItsEndClosesIt() throws {
        let cat = try kubectl(["exec", "-i", "web-0", "--", "cat"], stdin: "hello\nworld\n")
        XCTAssertEqual(cat.code, 0, cat.stderr)
        XCTAssertEqual(cat.stdout, "hello\nworld\n")
    }

    func testKubectlCpStreamsAFileThroughExecStdin() throws {
        let file = home.appendingPathComponent("payload.bin")
        try Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: file)
        let cp = try kubectl(["cp", file.path, "web-0:/tmp/payload.bin"])
        XCTAssertEqual(cp.code, 0, cp.stderr)
        XCTAssertEqual(node.lastExecOptions?.command.first, "tar")
        XCTAssertGreaterThan(node.lastSession?.receivedStdin ?? 0, 3 << 20, "the whole tar stream arrived before stdin closed")
    }

    func testKubectlExecWithATerminalSendsItsSize() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script (util-linux) gives kubectl a terminal")
        // `script` runs kubectl on a pseudo-terminal (sized by `stty`), as a user's `exec -it` is.
        let run = try Client("/usr/bin/script", ["-qec", "stty cols 132 rows 43; \(Self.kubectl) exec -it web-0 -- wait-resize", "/dev/null"],
                             home: home).finish()
        XCTAssertEqual(run.code, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("132x43"), run.stdout)
        XCTAssertEqual(node.lastExecOptions?.tty, true)
        XCTAssertEqual(node.lastExecOptions?.stdin, true)
    }

    func testKubectlShowsTheServersStatus() throws {
        let simulated = try kubectl(["exec", "simulated", "--", "hostname"])
        XCTAssertEqual(simulated.code, 1)
        XCTAssertTrue(simulated.stderr.contains(FakePodConnection.simulatedStatus.message), simulated.stderr)

        let missing = try kubectl(["exec", "ghost", "--", "hostname"])
        XCTAssertEqual(missing.code, 1)
        XCTAssertEqual(missing.stderr, "Error from server (NotFound): pods \"ghost\" not found\n")

        let unknown = try kubectl(["exec", "web-0", "--", "no-such-command"])
        XCTAssertNotEqual(unknown.code, 0)
        XCTAssertTrue(unknown.stderr.contains("executable file not found"), unknown.stderr)
    }

    func testKubectlLogsAndFollow() throws {
        let logs = try kubectl(["logs", "web-0"])
        XCTAssertEqual(logs.code, 0, logs.stderr)
        XCTAssertEqual(logs.stdout, "line 1\nline 2\n")

        let tail = try kubectl(["logs", "web-0", "--tail=5", "--since=1h", "--timestamps"])
        XCTAssertEqual(tail.code, 0, tail.stderr)
        XCTAssertEqual(node.lastLogOptions?.tailLines, 5)
        XCTAssertEqual(node.lastLogOptions?.sinceSeconds, 3600)
        XCTAssertEqual(node.lastLogOptions?.timestamps, true)

        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Self.kubectl))
        let follow = try Client(Self.kubectl, ["logs", "-f", "web-0"], home: home)
        waitUntil("kubectl is following") { node.lastLogOptions?.follow == true }
        node.lastLog?.append("line 3\n")
        node.lastLog?.end()
        let followed = follow.finish()
        XCTAssertEqual(followed.code, 0, followed.stderr)
        XCTAssertEqual(followed.stdout, "line 1\nline 2\nline 3\n")
    }

    func testPythonClientStreamExec() throws {
        let python = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.venv/bin/python").standardized.path
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: python), "no .venv (scripts/test creates it)")
        let script = """
            import json, sys
            from kubernetes import client, config
            from kubernetes.stream import stream
            config.load_kube_config()
            api = client.CoreV1Api()
            out = stream(api.connect_get_namespaced_pod_exec, "web-0", "default", command=["printf-both"],
                         stderr=True, stdin=False, stdout=True, tty=False)
            print("plain:" + json.dumps(out))
            resp = stream(api.connect_get_namespaced_pod_exec, "web-0", "default", command=["cat"],
                          stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
            resp.write_stdin("ping\\n")
            got = ""
            while "ping" not in got and resp.is_open():
                resp.update(timeout=5)
                got += resp.read_stdout() or ""
            print("echo:" + json.dumps(got))
            resp.close()
            resp = stream(api.connect_get_namespaced_pod_exec, "web-0", "default", command=["sh", "-c", "exit 3"],
                          stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
            resp.run_forever(timeout=10)
            err = resp.peek_channel(3)
            print("status:" + err)
            print("code:" + str(resp.returncode))
            """
        let run = try Client(python, ["-c", script], home: home).finish()
        XCTAssertEqual(run.code, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains(#"plain:"out\nerr\n""#) || lines.contains(#"plain:"err\nout\n""#), run.stdout)
        XCTAssertTrue(lines.contains(#"echo:"ping\n""#), run.stdout)
        XCTAssertTrue(lines.contains("code:3"), run.stdout + run.stderr)
        XCTAssertTrue(lines.contains { $0.hasPrefix("status:") && $0.contains("NonZeroExitCode") }, run.stdout)
    }
}
