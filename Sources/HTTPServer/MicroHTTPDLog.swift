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
        // A va_list can be read once: format into a buffer large enough for any of its messages
        // (they are one line; a longer one is cut, never overrun).
        var buffer = [CChar](repeating: 0, count: 1024)
        _ = vsnprintf(&buffer, buffer.count, format, arguments)
        let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        server.logger.log(level: level(of: message), "libmicrohttpd: \(message)")
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

    static func level(of message: String) -> Logger.Level {
        clientSide.contains { message.localizedCaseInsensitiveContains($0) } ? .debug : .warning
    }
}
