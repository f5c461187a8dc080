import CMicroHTTPD
import Foundation
import Logging

/// libmicrohttpd's own messages, taken over with `MHD_OPTION_EXTERNAL_LOGGER` so none reaches
/// stderr raw: each is formatted (its callback gets a printf format and a `va_list`) and logged
/// through the server's logger. libmicrohttpd gives no level, so one is chosen from the text:
/// a client that closes its connection (a watch it stops, a kubectl that exits mid-stream) or
/// sends something unreadable is routine for a server and logged at debug; anything else concerns
/// the server itself (threads, epoll, memory) and is a warning.
enum MicroHTTPDLog {
    /// The callback; `cls` is the server, unretained (the daemon stops before the server goes away).
    static let callback: MHD_LogCallback = { cls, format, arguments in
        guard let cls, let format, let arguments else { return }
        let server = Unmanaged<MicroHTTPServer>.fromOpaque(cls).takeUnretainedValue()
        // Nothing below warning is shown: skip the formatting (10,000 watches whose clients leave
        // bring 10,000 messages).
        guard server.logger.logLevel <= .warning else { return }
        // A va_list can be read once: format into a buffer large enough for any of its messages
        // (they are one line; a longer one is cut, never overrun).
        var buffer = [CChar](repeating: 0, count: 1024)
        _ = vsnprintf(&buffer, buffer.count, format, arguments)
        let message = trimmed(buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) })
        let level = level(of: message)
        guard server.logger.logLevel <= level else { return }
        server.logger.log(level: level, "libmicrohttpd: \(String(decoding: message, as: UTF8.self))")
    }

    /// The message without leading and trailing ASCII whitespace (its lines end in a newline).
    static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0D).contains($0) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return [] }
        return bytes[first...last]
    }

    /// Phrases of libmicrohttpd 0.9.75's messages about a client going away or sending a request
    /// it cannot parse (its `Error processing request (HTTP response code is 400 ...)`).
    static let clientSide = [
        "closed by remote", "forcibly closed", "has been disconnected", "socket is closed", "is no longer available",
        "not connected", "Failed to send", "Failed to receive", "Error processing request", "Too late",
        "Failed to parse", "Connection reset", "Broken pipe", "incomplete request",
        // A stream ends this way when its client hung up while the connection was suspended.
        "application error generating response",
    ]

    /// The phrases in ASCII lower case, for a byte search: Foundation's case-insensitive search
    /// bridged each message to an NSString and cost more than the rest of a closed watch.
    private static let clientSideLowercased: [[UInt8]] = clientSide.map { Array($0.utf8).map(asciiLowercased) }

    static func level(of message: String) -> Logger.Level {
        level(of: Array(message.utf8)[...])
    }

    static func level(of message: ArraySlice<UInt8>) -> Logger.Level {
        let lowercased = message.map(asciiLowercased)
        return clientSideLowercased.contains { lowercased.firstRange(of: $0) != nil } ? .debug : .warning
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}
