import ControllerRuntime
/// Writes DNS messages, compressing names (RFC 1035 §4.1.4) in owners and in the data of the types
/// RFC 3597 allows (CNAME, PTR, NS, SOA), never in SRV targets (RFC 2782).
///
/// `encode(_:limit:)` fits a message into `limit` bytes the way miekg/dns's `Truncate` (CoreDNS's
/// codec) does: the question always, then answer, authority and additional records in order until
/// the first that does not fit; TC is set when any record was left out. The EDNS OPT record is kept and its size
/// reserved first.
public struct DNSMessageWriter {
    private(set) var bytes: [UInt8] = []
    private var pointers: [[[UInt8]]: Int] = [:]

    public static func encode(_ message: DNSMessage, limit: Int = 65535) -> [UInt8] {
        var w = DNSMessageWriter()
        return w.write(message, limit: max(limit, 12))
    }

    mutating func write(_ message: DNSMessage, limit: Int) -> [UInt8] {
        var header = message
        let opt = message.additionals.first { $0.type == .opt }
        let optSize = opt.map { 11 + Self.dataLength($0.data) } ?? 0
        bytes = [UInt8](repeating: 0, count: 12)
        for q in message.questions {
            name(q.name, compress: true)
            u16(q.type.rawValue); u16(q.qclass)
        }
        let budget = limit - optSize
        var counts = [message.questions.count, 0, 0, 0]
        var dropped = false
        let sections = [message.answers, message.authorities, message.additionals.filter { $0.type != .opt }]
        for (index, section) in sections.enumerated() {
            for record in section where !dropped {
                let mark = (bytes.count, pointers)
                self.record(record)
                if bytes.count > budget {
                    bytes.removeSubrange(mark.0...)
                    pointers = mark.1
                    dropped = true
                } else {
                    counts[index + 1] += 1
                }
            }
            if dropped { break }
        }
        if let opt { record(opt); counts[3] += 1 }
        let total = message.answers.count + message.authorities.count + message.additionals.count
        header.truncated = message.truncated || counts[1] + counts[2] + counts[3] < total
        put16(header.id, at: 0)
        put16(header.flags, at: 2)
        for (i, count) in counts.enumerated() { put16(UInt16(count), at: 4 + 2 * i) }
        return bytes
    }

    private static func dataLength(_ data: DNSRecordData) -> Int {
        var w = DNSMessageWriter()
        w.data(data, compress: false)
        return w.bytes.count
    }

    private mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF)) }
    private mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }
    private mutating func put16(_ v: UInt16, at i: Int) { bytes[i] = UInt8(v >> 8); bytes[i + 1] = UInt8(v & 0xFF) }

    private mutating func name(_ name: DNSName, compress: Bool) {
        let lowered = name.lowercased.labels
        for i in lowered.indices {
            let suffix = Array(lowered[i...])
            if compress, let target = pointers[suffix] {
                u16(0xC000 | UInt16(target))
                return
            }
            // Offsets past 0x3FFF cannot be pointed at.
            if compress, bytes.count <= 0x3FFF { pointers[suffix] = bytes.count }
            let label = name.labels[i].prefix(DNSName.maxLabelLength)
            bytes.append(UInt8(label.count))
            bytes.append(contentsOf: label)
        }
        bytes.append(0)
    }

    private mutating func record(_ r: DNSRecord) {
        name(r.name, compress: true)
        u16(r.type.rawValue); u16(r.rclass); u32(r.ttl)
        let lengthAt = bytes.count
        u16(0)
        data(r.data, compress: r.type != .srv)
        put16(UInt16(truncatingIfNeeded: bytes.count - lengthAt - 2), at: lengthAt)
    }

    private mutating func data(_ data: DNSRecordData, compress: Bool) {
        switch data {
        case .address(let octets), .opaque(let octets):
            bytes.append(contentsOf: octets)
        case .name(let target):
            name(target, compress: compress)
        case .service(let priority, let weight, let port, let target):
            u16(priority); u16(weight); u16(port)
            name(target, compress: false)
        case .authority(let mname, let rname, let serial, let refresh, let retry, let expire, let minimum):
            name(mname, compress: compress); name(rname, compress: compress)
            for v in [serial, refresh, retry, expire, minimum] { u32(v) }
        case .text(let strings):
            for s in strings {
                let chunk = s.prefix(255)
                bytes.append(UInt8(chunk.count)); bytes.append(contentsOf: chunk)
            }
        }
    }
}
