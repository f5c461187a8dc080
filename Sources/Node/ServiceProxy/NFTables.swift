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
