/// Undoes HTTP/1.1 chunked transfer coding (RFC 9112 §7.1) incrementally: bytes in any pieces,
/// the body's bytes out. Chunk extensions and trailers are read and dropped.
struct ChunkedBodyDecoder {
    struct Malformed: Error {}

    private enum State { case size, data(Int), dataEnd, trailer, done }
    private var state = State.size
    private var line: [UInt8] = []

    var isDone: Bool { if case .done = state { return true }; return false }

    mutating func decode(_ input: ArraySlice<UInt8>) throws(Malformed) -> [UInt8] {
        var out: [UInt8] = []
        var i = input.startIndex
        while i < input.endIndex {
            switch state {
            case .size, .dataEnd, .trailer:
                let byte = input[i]; i += 1
                guard byte == 10 else { line.append(byte); if line.count > 4096 { throw Malformed() }; continue }
                if line.last == 13 { line.removeLast() }
                let text = line
                line = []
                switch state {
                case .size:
                    let digits = text.prefix { $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: " ") }
                    guard !digits.isEmpty, digits.count <= 15, let size = Int(String(decoding: digits, as: UTF8.self), radix: 16) else { throw Malformed() }
                    state = size == 0 ? .trailer : .data(size)
                case .dataEnd:
                    guard text.isEmpty else { throw Malformed() }
                    state = .size
                default:
                    if text.isEmpty { state = .done }
                }
            case .data(let remaining):
                let take = min(remaining, input.endIndex - i)
                out += input[i..<(i + take)]
                i += take
                state = remaining == take ? .dataEnd : .data(remaining - take)
            case .done:
                return out
            }
        }
        return out
    }
}
