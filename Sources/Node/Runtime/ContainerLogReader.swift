import Foundation
import Registry
import Synchronization

/// Reads a container's CRI log file as `kubectl logs` asks: lines since a time, the last N lines,
/// with or without their timestamps, at most N bytes, and with `follow` the lines written after,
/// until the container instance ends (polled every 100 ms) or the reader cancels.
final class ContainerLogReader: PodLogStream, Sendable {
    let path: String
    let options: PodLogOptions
    let running: @Sendable () -> Bool
    private let cancelled = Atomic<Bool>(false)
    static let pollInterval: useconds_t = 100_000

    init(path: String, options: PodLogOptions, running: @escaping @Sendable () -> Bool) {
        self.path = path; self.options = options; self.running = running
    }

    func cancel() { cancelled.store(true, ordering: .relaxed) }

    func start(chunk: @escaping @Sendable ([UInt8]) -> Bool, end: @escaping @Sendable () -> Void) {
        Thread.detachNewThread { [self] in
            read(chunk)
            end()
        }
    }

    private func read(_ chunk: @Sendable ([UInt8]) -> Bool) {
        let since = options.sinceTime.flatMap(CRILogLine.parseTime)
            ?? options.sinceSeconds.map { Date().addingTimeInterval(-Double($0)) }
        var remaining = options.limitBytes.map(Int.init)
        var offset = 0
        /// Sends `lines`; false when the reader must stop (limit reached, client gone).
        func send(_ lines: [CRILogLine]) -> Bool {
            var out: [UInt8] = []
            for line in lines where since.map({ line.time >= $0 }) ?? true {
                if options.timestamps { out += Array(line.timestamp.utf8) + [UInt8(ascii: " ")] }
                out += line.text
                if line.complete { out.append(UInt8(ascii: "\n")) }
            }
            if let limit = remaining, out.count >= limit {
                if limit > 0 { _ = chunk(Array(out.prefix(limit))) }
                return false
            }
            remaining = remaining.map { $0 - out.count }
            return out.isEmpty || chunk(out)
        }
        var lines = nextLines(&offset)
        if let tail = options.tailLines { lines = Array(lines.suffix(Int(max(0, tail)))) }
        guard send(lines), options.follow else { return }
        while !cancelled.load(ordering: .relaxed) {
            let alive = running()
            let more = nextLines(&offset)
            if !more.isEmpty, !send(more) { return }
            if more.isEmpty, !alive { return }
            if more.isEmpty { usleep(Self.pollInterval) }
        }
    }

    /// The complete lines written after `offset`, which moves past them.
    private func nextLines(_ offset: inout Int) -> [CRILogLine] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { handle.closeFile() }
        handle.seek(toFileOffset: UInt64(offset))
        let data = [UInt8]((try? handle.readToEnd()) ?? Data())
        guard let last = data.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        offset += last + 1
        return data[...last].split(separator: UInt8(ascii: "\n")).compactMap { CRILogLine.parse($0) }
    }
}
