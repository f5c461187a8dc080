import ControllerRuntime
/// Turns one request packet into the response packet, with the acceptance rules of miekg/dns's
/// server (CoreDNS's): responses and packets shorter than a header are dropped; opcodes other than
/// QUERY answer NOTIMP; anything but one question (at most one answer, one authority and two
/// additional records), or a packet that does not parse, answers FORMERR.
///
/// EDNS0: a query's OPT record is answered with an OPT carrying the requestor's UDP size (at
/// least 512) and its DO bit, no options; a version other than 0 answers BADVERS. A UDP answer
/// fits in 512 bytes, or the EDNS size capped at 4096; a TCP answer in 65535.
public struct DNSQueryHandler: Sendable {
    public enum Transport: Sendable { case udp, tcp }

    /// The UDP payload the server is willing to send, whatever the requestor offers.
    public static let maxUDPPayload = 4096

    public let resolver: ClusterDNSResolver

    public init(resolver: ClusterDNSResolver) { self.resolver = resolver }

    /// The response bytes, or nil when the packet is to be dropped without an answer.
    public func handle(_ packet: [UInt8], transport: Transport) -> [UInt8]? {
        guard let header = DNSMessageReader.header(packet), header.flags & 0x8000 == 0 else { return nil }
        let opcode = UInt8((header.flags >> 11) & 0xF)
        if opcode != 0 { return reject(header, .notImp) }
        let counts = header.counts
        guard counts[0] == 1, counts[1] <= 1, counts[2] <= 1, counts[3] <= 2,
              let query = try? DNSMessageReader.decode(packet)
        else { return reject(header, .formatError) }

        let options = query.additionals.filter { $0.type == .opt }
        guard options.count <= 1 else { return reject(header, .formatError) }
        var limit = transport == .tcp ? 65535 : 512
        guard let opt = options.first else {
            return DNSMessageWriter.encode(resolver.respond(to: query), limit: limit)
        }

        let payload = max(512, Int(opt.rclass))
        if transport == .udp { limit = min(payload, Self.maxUDPPayload) }
        let doBit = opt.ttl & 0x8000
        var response: DNSMessage
        if (opt.ttl >> 16) & 0xFF != 0 {
            response = DNSMessage()
            response.id = query.id
            response.isResponse = true
            response.recursionDesired = query.recursionDesired
            response.questions = query.questions
            response.additionals = [Self.opt(payload: payload, flags: doBit | UInt32(DNSResponseCode.badVersion.rawValue >> 4) << 24)]
        } else {
            response = resolver.respond(to: query)
            response.additionals.append(Self.opt(payload: payload, flags: doBit))
        }
        return DNSMessageWriter.encode(response, limit: limit)
    }

    static func opt(payload: Int, flags: UInt32) -> DNSRecord {
        DNSRecord(name: .root, type: .opt, rclass: UInt16(min(payload, 65535)), ttl: flags, data: .opaque([]))
    }

    /// A header-only answer, as miekg/dns writes for a rejected request.
    private func reject(_ header: (id: UInt16, flags: UInt16, counts: [Int]), _ code: DNSResponseCode) -> [UInt8] {
        var m = DNSMessage()
        m.setFlags(header.flags & 0x7910)  // opcode, RD and CD kept
        m.id = header.id
        m.isResponse = true
        m.rcode = UInt8(code.rawValue)
        return DNSMessageWriter.encode(m)
    }
}
