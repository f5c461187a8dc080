import Foundation

/// Writes a configMap, secret, downwardAPI or projected volume's files as the kubelet's AtomicWriter
/// does, so that a running container sees an update all at once: the files live in a timestamped
/// directory `..<time>`, `..data` links to it, and each top-level name links into `..data`. An
/// update writes a new timestamped directory and swaps `..data` with one rename.
enum AtomicVolumeWriter {
    struct File: Equatable {
        var path: String
        var data: Data
        var mode: Int
    }

    static let dataLink = "..data"

    /// Writes `files` under `directory` unless they are already there; true when anything changed.
    @discardableResult
    static func write(_ files: [File], to directory: String, now: Date = Date()) throws -> Bool {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let current = try? fm.destinationOfSymbolicLink(atPath: "\(directory)/\(dataLink)")
        if let current, unchanged(files, in: "\(directory)/\(current)") { return false }

        let stamp = "..\(timestamp(now))"
        let staging = "\(directory)/\(stamp)"
        try? fm.removeItem(atPath: staging)
        try fm.createDirectory(atPath: staging, withIntermediateDirectories: false)
        for file in files {
            let path = "\(staging)/\(file.path)"
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard fm.createFile(atPath: path, contents: file.data, attributes: [.posixPermissions: file.mode]) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            // createFile's attributes are masked by the umask; the mode is the volume's.
            try fm.setAttributes([.posixPermissions: file.mode], ofItemAtPath: path)
        }
        let temporaryLink = "\(directory)/..data_tmp"
        try? fm.removeItem(atPath: temporaryLink)
        try fm.createSymbolicLink(atPath: temporaryLink, withDestinationPath: stamp)
        guard rename(temporaryLink, "\(directory)/\(dataLink)") == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: "\(directory)/\(dataLink)"])
        }
        // The user-visible names: one link per top-level entry, stale ones removed.
        let wanted = Set(files.map { String($0.path.split(separator: "/").first ?? "") })
        for name in wanted where (try? fm.destinationOfSymbolicLink(atPath: "\(directory)/\(name)")) == nil {
            try fm.createSymbolicLink(atPath: "\(directory)/\(name)", withDestinationPath: "\(dataLink)/\(name)")
        }
        for entry in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where !entry.hasPrefix("..") && !wanted.contains(entry) {
            try? fm.removeItem(atPath: "\(directory)/\(entry)")
        }
        if let current, current != stamp { try? fm.removeItem(atPath: "\(directory)/\(current)") }
        return true
    }

    /// Whether `directory` holds exactly `files` with their contents and modes.
    static func unchanged(_ files: [File], in directory: String) -> Bool {
        let fm = FileManager.default
        guard let existing = fm.enumerator(atPath: directory)?.allObjects as? [String] else { return false }
        let regular = existing.filter { (try? fm.attributesOfItem(atPath: "\(directory)/\($0)")[.type] as? FileAttributeType) == .typeRegular }
        guard Set(regular) == Set(files.map(\.path)) else { return false }
        return files.allSatisfy { file in
            let path = "\(directory)/\(file.path)"
            return fm.contents(atPath: path) == file.data
                && (try? fm.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == file.mode
        }
    }

    /// `2006_01_02_15_04_05.999999999` in UTC, as the kubelet names the directories.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let nanos = Int((date.timeIntervalSince1970 - Double(seconds)) * 1e9)
        return String(format: "%04d_%02d_%02d_%02d_%02d_%02d.%09d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, nanos)
    }
}
