import Foundation
@testable import Node
import XCTest

/// Real pod tests need root and Linux namespaces; elsewhere they are skipped with the reason.
enum RuntimeTestSupport {
    static func requireNamespaces() throws {
        if let reason = ProcessRuntimeProbe.unavailableReason() { throw XCTSkip("real pods need \(reason)") }
    }

    static func temporaryRoot() -> String {
        let path = NSTemporaryDirectory() + "kubelite-runtime-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func logText(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
