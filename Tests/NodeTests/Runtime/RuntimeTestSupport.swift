import Foundation
@testable import Node
import XCTest

/// Real pod tests need root and Linux namespaces; elsewhere they are skipped with the reason.
enum RuntimeTestSupport {
    static func requireNamespaces() throws {
        if let reason = ProcessRuntimeProbe.unavailableReason() { throw XCTSkip("real pods need \(reason)") }
    }

    /// A fresh pods root for one test, inside one directory for the whole test process. A test's
    /// tearDown removes its root, but the kubelet's workers may still be setting up a pod's volumes
    /// and write it again; the process's directory goes when the process exits, and a crashed
    /// process's is removed by the next run.
    static func temporaryRoot() -> String {
        let path = processDirectory + "/\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private static let processDirectory: String = {
        let prefix = "kubelite-node-tests-"
        let temporary = NSTemporaryDirectory()
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where entry.hasPrefix(prefix) {
            guard let pid = pid_t(entry.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: temporary + entry)
        }
        atexit {
            try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "kubelite-node-tests-\(getpid())")
        }
        return temporary + prefix + "\(getpid())"
    }()

    static func logText(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
