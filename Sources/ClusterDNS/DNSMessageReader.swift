import ControllerRuntime
/// Why a packet could not be read; every such packet is answered FORMERR or dropped, never trusted.
public struct DNSFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Reads DNS messages from untrusted bytes. Every read is bounds-checked; a compression pointer
/// must point strictly before itself, so a chain of pointers always moves backwards and ends
/// (no loop can be built), and a name longer than 255 bytes is refused.
public struct DNSMessageReader {
    private let bytes: [UInt8]
    private var offset = 0

    public static func decode(_ bytes: [UInt8]) throws(DNSFormatError) -> DNSMessage {
        var reader = DNSMessageReader(bytes: bytes)
        return try reader.message()
    }

    /// The 12-byte header alone: id, flags and section counts.
    public static func header(_ bytes: [UInt8]) -> (id: UInt16, flags: UInt16, counts: [Int])? {
        guard bytes.count >= 12 else { return nil }
        func u16(_ i: Int) -> UInt16 { UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]) }
        return (u16(0), u16(2), [u16(4), u16(6), u16(8), u16(10)].map(Int.init))
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func message() throws(DNSFormatError) -> DNSMessage {
        guard let header = Self.header(bytes) else { throw DNSFormatError("message shorter than its header") }
        offset = 12
        var m = DNSMessage()
        m.id = header.id
        m.setFlags(header.flags)
        for _ in 0..<header.counts[0] {
            let name = try name()
            let type = try u16(), qclass = try u16()
            m.questions.append(DNSQuestion(name: name, type: DNSRecordType(rawValue: type), qclass: qclass))
        }
        for _ in 0..<header.counts[1] { m.answers.append(try record()) }
        for _ in 0..<header.counts[2] { m.authorities.append(try record()) }
        for _ in 0..<header.counts[3] { m.additionals.append(try record()) }
        // Bytes after the last record are ignored, as miekg/dns (CoreDNS's codec) does.
        return m
    }

    mutating func u8() throws(DNSFormatError) -> UInt8 {
        guard offset < bytes.count else { throw DNSFormatError("unexpected end of message at \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSFormatError) -> UInt16 { UInt16(try u8()) << 8 | UInt16(try u8()) }

    mutating func u32() throws(DNSFormatError) -> UInt32 { UInt32(try u16()) << 16 | UInt32(try u16()) }

    mutating func take(_ n: Int) throws(DNSFormatError) -> [UInt8] {
        guard n >= 0, n <= bytes.count - offset else { throw DNSFormatError("field overruns the message at \(offset)") }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    /// A possibly compressed name (RFC 1035 §4.1.4); the reader ends just after the name's own
    /// bytes, wherever its pointers led.
    mutating func name() throws(DNSFormatError) -> DNSName {
        var labels: [[UInt8]] = []
        var wire = 1
        var position = offset
        var resume: Int?
        while true {
            guard position < bytes.count else { throw DNSFormatError("name runs past the message") }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    offset = resume ?? position + 1
                    return DNSName(labels: labels)
                }
                let start = position + 1, end = start + Int(length)
                guard end <= bytes.count else { throw DNSFormatError("label runs past the message") }
                wire += 1 + Int(length)
                guard wire <= DNSName.maxWireLength else { throw DNSFormatError("name longer than 255 bytes") }
                labels.append(Array(bytes[start..<end]))
                position = end
            case 0xC0:
                guard position + 1 < bytes.count else { throw DNSFormatError("truncated compression pointer") }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < position else { throw DNSFormatError("compression pointer does not point backwards") }
                if resume == nil { resume = position + 2 }
                position = target
            default:
                throw DNSFormatError("unsupported label type \(length >> 6)")
            }
        }
    }

    mutating func record() throws(DNSFormatError) -> DNSRecord {
        let name = try name()
        let type = DNSRecordType(rawValue: try u16())
        let rclass = try u16(), ttl = try u32()
        let length = Int(try u16())
        guard length <= bytes.count - offset else { throw DNSFormatError("record data overruns the message") }
        let end = offset + length
        let data: DNSRecordData
        switch type {
        case .a where length == 4, .aaaa where length == 16:
            data = .address(try take(length))
        case .cname, .ptr, .ns:
            data = .name(try self.name())
        case .srv:
            let priority = try u16(), weight = try u16(), port = try u16()
            data = .service(priority: priority, weight: weight, port: port, target: try self.name())
        case .soa:
            let mname = try self.name(), rname = try self.name()
            data = .authority(mname: mname, rname: rname, serial: try u32(), refresh: try u32(),
                              retry: try u32(), expire: try u32(), minimum: try u32())
        case .txt:
            var strings: [[UInt8]] = []
            while offset < end { strings.append(try take(Int(try u8()))) }
            data = .text(strings)
        default:
            data = .opaque(try take(length))
        }
        guard offset == end else { throw DNSFormatError("record data length does not match its content") }
        return DNSRecord(name: name, type: type, rclass: rclass, ttl: ttl, data: data)
    }
}
