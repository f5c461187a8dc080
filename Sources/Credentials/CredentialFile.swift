import Foundation

/// Key and certificate files in the data directory: created once, kept 0600 (private keys) in a
/// 0700 directory, written to a temporary name and renamed so a crash never leaves half a key.
enum CredentialFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func write(_ text: String, to path: String, mode: Int) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let manager = FileManager.default
        if !manager.fileExists(atPath: directory) {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                        attributes: [.posixPermissions: 0o700])
        }
        let temporary = path + ".tmp"
        guard manager.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw Failure(description: "cannot write \(temporary)")
        }
        // createFile's permissions pass through the umask; set them exactly.
        try manager.setAttributes([.posixPermissions: mode], ofItemAtPath: temporary)
        guard rename(temporary, path) == 0 else {
            throw Failure(description: "cannot rename \(temporary) to \(path): errno \(errno)")
        }
    }
}
