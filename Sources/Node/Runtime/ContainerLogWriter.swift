import Foundation
import Synchronization

/// Writes one container instance's output as the kubelet's CRI log files hold it: a line per
/// output line, `<RFC 3339 nano time> stdout|stderr F <text>` (`P` for a piece of a line cut at
/// 16 KiB, as containerd cuts long lines).
final class ContainerLogWriter: Sendable {
    static let maxLine = 16 * 1024
    private let file: Mutex<FileHandle?>
    private let pending = Mutex<[String: [UInt8]]>([:])

    init(path: String) {
        FileManager.default.createFile(atPath: path, contents: nil)
        file = Mutex(FileHandle(forWritingAtPath: path))
    }

    /// Appends `bytes` from `stream`, writing every complete line.
    func write(_ bytes: Data, stream: String) {
        var lines: [(String, [UInt8])] = []
        pending.withLock { pending in
            var buffer = pending[stream] ?? []
            buffer.append(contentsOf: bytes)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(("F", Array(buffer[..<newline])))
                buffer.removeSubrange(...newline)
            }
            while buffer.count >= Self.maxLine {
                lines.append(("P", Array(buffer.prefix(Self.maxLine))))
                buffer.removeFirst(Self.maxLine)
            }
            pending[stream] = buffer
        }
        for (tag, line) in lines { append(stream: stream, tag: tag, line) }
    }

    /// Writes what is left of an unfinished last line and closes the file.
    func close() {
        let rest = pending.withLock { p in defer { p = [:] }; return p }
        for (stream, line) in rest.sorted(by: { $0.key < $1.key }) where !line.isEmpty { append(stream: stream, tag: "F", line) }
        file.withLock { $0?.closeFile(); $0 = nil }
    }

    private func append(stream: String, tag: String, _ line: [UInt8]) {
        var record = Array("\(CRILogLine.format(Date())) \(stream) \(tag) ".utf8)
        record += line
        record.append(UInt8(ascii: "\n"))
        file.withLock { try? $0?.write(contentsOf: Data(record)) }
    }
}

/// One line of a CRI log file.
struct CRILogLine: Equatable {
    var time: Date
    var timestamp: String
    var stream: String
    /// False for `P`: the text goes on in the next line.
    var complete: Bool
    var text: [UInt8]

    static func parse(_ line: ArraySlice<UInt8>) -> CRILogLine? {
        let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, let time = parseTime(String(decoding: parts[0], as: UTF8.self)) else { return nil }
        return CRILogLine(time: time, timestamp: String(decoding: parts[0], as: UTF8.self), stream: String(decoding: parts[1], as: UTF8.self),
                          complete: parts[2].first != UInt8(ascii: "P"), text: parts.count > 3 ? Array(parts[3]) : [])
    }

    /// Go's RFC3339Nano in UTC: nanoseconds with trailing zeros dropped.
    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(floor(interval))
        let nanos = Int((interval - floor(interval)) * 1e9)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let stem = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                          Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        guard nanos > 0 else { return stem + "Z" }
        var digits = String(format: "%09d", nanos)
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(stem).\(digits)Z"
    }

    /// Reads `2006-01-02T15:04:05[.fraction]Z` (UTC, as the writer and kubectl's sinceTime give it).
    static func parseTime(_ text: String) -> Date? {
        let fields = text.split(whereSeparator: { "-T:Z".contains($0) }).map(String.init)
        guard text.hasSuffix("Z"), fields.count == 6, let seconds = Double(fields[5]),
              let year = Int32(fields[0]), let month = Int32(fields[1]), let day = Int32(fields[2]),
              let hour = Int32(fields[3]), let minute = Int32(fields[4]) else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900; parts.tm_mon = month - 1; parts.tm_mday = day
        parts.tm_hour = hour; parts.tm_min = minute; parts.tm_sec = 0
        return Date(timeIntervalSince1970: Double(timegm(&parts)) + seconds)
    }
}
