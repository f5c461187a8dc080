import Foundation
import Storage
import XCTest

/// A single-member etcd for a test: free ports, a temporary data dir, stopped and removed by `stop`.
final class EtcdTestServer {
    static let binary = "/usr/bin/etcd"
    let process = Process()
    let directory: URL
    let clientPort: Int
    var endpoint: EtcdEndpoint { EtcdEndpoint(host: "127.0.0.1", port: clientPort) }

    /// Starts etcd and waits (with a deadline) until it answers a status call; skips the test only
    /// when etcd is not installed (CI installs Debian's etcd-server).
    init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw XCTSkip("\(Self.binary) is missing: install Debian's etcd-server to run the etcd tests")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubelite-etcd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clientPort = Self.freePort()
        let peerPort = Self.freePort()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--name", "test", "--data-dir", directory.appendingPathComponent("data").path,
            "--listen-client-urls", "http://127.0.0.1:\(clientPort)", "--advertise-client-urls", "http://127.0.0.1:\(clientPort)",
            "--listen-peer-urls", "http://127.0.0.1:\(peerPort)", "--initial-advertise-peer-urls", "http://127.0.0.1:\(peerPort)",
            "--initial-cluster", "test=http://127.0.0.1:\(peerPort)", "--unsafe-no-fsync",
        ]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let client = EtcdClient(endpoints: [endpoint], connectTimeout: .milliseconds(200), callTimeout: .seconds(2))
        let deadline = Date().addingTimeInterval(20)
        while (try? client.status()) == nil {
            guard Date() < deadline, process.isRunning else {
                stop()
                throw EtcdTestServerError.notStarted
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A port the kernel considers free right now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

enum EtcdTestServerError: Error { case notStarted }
