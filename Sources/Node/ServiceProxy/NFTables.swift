import Foundation

/// The `nft` command (Debian package nftables), as kube-proxy's nftables mode drives it: a whole
/// table is written as one script on standard input, which the kernel applies as one transaction.
enum NFTables {
    static let path = "/usr/sbin/nft"

    struct Failure: Error, CustomStringConvertible { var description: String }

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Applies `script` (`nft -f -`); throws nft's message.
    static func apply(_ script: String) throws(Failure) {
        let (status, output) = IPRoute.run(executable: path, ["-f", "-"], input: script)
        guard status == 0 else { throw Failure(description: output.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The names of the `ip` tables starting with `prefix`.
    static func tables(prefix: String) -> [String] {
        let (status, output) = IPRoute.run(executable: path, ["list", "tables", "ip"])
        guard status == 0 else { return [] }
        return output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count == 3 && fields[2].hasPrefix(prefix) ? String(fields[2]) : nil
        }
    }

    /// The comment a Kubelite table carries: the process that owns it.
    static func ownerComment(_ pid: Int32) -> String { "kubelite pid \(pid)" }

    /// The process id in a table's owner comment; nil without one (a table of an older Kubelite).
    static func owner(of table: String) -> Int32? {
        let (status, output) = IPRoute.run(executable: path, ["list", "table", "ip", table])
        guard status == 0, let range = output.range(of: "comment \"kubelite pid ") else { return nil }
        return Int32(output[range.upperBound...].prefix { $0.isNumber })
    }

    static func tableExists(_ table: String) -> Bool {
        IPRoute.run(executable: path, ["list", "table", "ip", table]).0 == 0
    }

    /// Deletes the table if it exists; true when there was one.
    @discardableResult
    static func deleteTable(_ table: String) -> Bool {
        guard tableExists(table) else { return false }
        return IPRoute.run(executable: path, ["delete", "table", "ip", table]).0 == 0
    }
}
