import Foundation

/// Checks a request head before any of its body is read, as RFC 9112 requires of a server, so that
/// a request whose length is ambiguous is refused rather than guessed at. libmicrohttpd 0.9.75
/// frames by the first `Transfer-Encoding` or `Content-Length` it finds and ignores the rest: a
/// request with both, or with two lengths, would be read one way here and another way by a proxy in
/// front, and the bytes between the two readings would run as a second, smuggled request.
///
/// Every refusal is answered before the body and closes the connection (RFC 9112 §6.3: once the
/// framing is in doubt, nothing after it on the connection can be trusted). Answers follow Go's
/// `net/http`, kube-apiserver's server: 400 for ambiguous framing, 501 for a transfer coding it does
/// not implement.
struct RequestFraming {
    /// Largest total of header bytes served (431 beyond).
    var maxHeaderBytes: Int
    /// Largest body accepted; a larger declared `Content-Length` is refused at once (413) rather
    /// than waited for.
    var maxBodyBytes: Int

    /// The answer refusing this head, or nil when it may be served. `headers` are every header line
    /// as received, duplicates included, names as the client wrote them.
    func violation(headers: [(name: String, value: String)], version: String) -> HTTPResponse? {
        // One pass, allocating only for the few framing headers: this runs for every request.
        var hosts = 0, size = 0
        var codings: [String] = [], lengths: [String] = []
        for header in headers {
            guard Self.isToken(header.name) else {
                // Whitespace before the colon (`Transfer-Encoding : chunked`) makes libmicrohttpd keep the
                // space in the name, so the framing header would silently not count (RFC 9112 §5.1: reject).
                return Self.badRequest("malformed header line: invalid header field name \(Self.quoted(header.name))")
            }
            size += header.name.utf8.count + header.value.utf8.count + 4
            if Self.named(header.name, "host") { hosts += 1 }
            if Self.named(header.name, "transfer-encoding") { codings.append(header.value) }
            if Self.named(header.name, "content-length") { lengths.append(header.value) }
        }
        if size > maxHeaderBytes {
            return HTTPServerErrors.headersTooLarge(limit: maxHeaderBytes).closingConnection()
        }
        if hosts > 1 { return Self.badRequest("too many Host headers") }
        if hosts == 0, version == "HTTP/1.1" { return Self.badRequest("missing required Host header") }
        if !codings.isEmpty {
            if version != "HTTP/1.1" {
                return Self.badRequest("Transfer-Encoding is not allowed in an \(version) request")
            }
            if !lengths.isEmpty {
                return Self.badRequest("a request must not carry both Transfer-Encoding and Content-Length")
            }
            if codings.count > 1 { return Self.badRequest("too many Transfer-Encoding headers") }
            guard Self.trimmed(codings[0]).lowercased() == "chunked" else {
                return HTTPServerErrors.status(code: 501, reason: "NotImplemented",
                                               message: "unsupported transfer encoding: \(Self.quoted(codings[0]))").closingConnection()
            }
            return nil
        }
        guard let first = lengths.first.map(Self.trimmed) else { return nil }
        if lengths.contains(where: { Self.trimmed($0) != first }) {
            return Self.badRequest("a request must not carry multiple Content-Length headers; got \(lengths.map(Self.quoted).joined(separator: ", "))")
        }
        // An unparsable value is libmicrohttpd's to refuse; a parsable one over the limit is ours, now,
        // instead of after reading (or waiting forever for) a body that will be refused anyway.
        if first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), !first.isEmpty,
           first.count > 18 || Int(first)! > maxBodyBytes {
            return HTTPServerErrors.requestEntityTooLarge(limit: maxBodyBytes).closingConnection()
        }
        return nil
    }

    /// Whether a header name is `lower` (lower-case ASCII), compared case-insensitively without allocating.
    static func named(_ name: String, _ lower: StaticString) -> Bool {
        guard name.utf8.count == lower.utf8CodeUnitCount else { return false }
        return lower.withUTF8Buffer { expected in
            // Setting bit 5 lower-cases ASCII letters; `expected` holds only lower-case letters and `-`.
            zip(name.utf8, expected).allSatisfy { byte, wanted in byte | 0x20 == wanted }
        }
    }

    static func badRequest(_ message: String) -> HTTPResponse {
        HTTPServerErrors.status(code: 400, reason: "BadRequest", message: message).closingConnection()
    }

    /// RFC 9110 §5.6.2 `token`: what a header field name must be.
    static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    static func trimmed(_ value: String) -> String {
        value.trimmingCharacters(in: [" ", "\t"])
    }

    /// A value quoted for a message, cut so a huge header cannot make a huge answer.
    static func quoted(_ value: String) -> String {
        "\"\(value.count > 64 ? String(value.prefix(64)) + "..." : value)\""
    }
}
