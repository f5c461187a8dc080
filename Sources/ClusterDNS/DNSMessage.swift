import ControllerRuntime
/// Resource record types this server reads or writes (RFC 1035, 2782, 3596, 6891).
public struct DNSRecordType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ns = DNSRecordType(rawValue: 2)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let ptr = DNSRecordType(rawValue: 12)
    public static let mx = DNSRecordType(rawValue: 15)
    public static let txt = DNSRecordType(rawValue: 16)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let srv = DNSRecordType(rawValue: 33)
    public static let opt = DNSRecordType(rawValue: 41)
    public static let ixfr = DNSRecordType(rawValue: 251)
    public static let axfr = DNSRecordType(rawValue: 252)
    public static let any = DNSRecordType(rawValue: 255)

    public var description: String {
        let names: [UInt16: String] = [1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT",
                                       28: "AAAA", 33: "SRV", 41: "OPT", 251: "IXFR", 252: "AXFR", 255: "ANY"]
        return names[rawValue] ?? "TYPE\(rawValue)"
    }
}

/// Response codes; values above 15 exist only with EDNS (the upper bits travel in the OPT record).
public struct DNSResponseCode: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    public static let nameError = DNSResponseCode(rawValue: 3)
    public static let notImp = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)
    public static let badVersion = DNSResponseCode(rawValue: 16)
}

/// The class IN; the only one served.
public let dnsClassIN: UInt16 = 1

public struct DNSQuestion: Sendable, Equatable {
    public var name: DNSName
    public var type: DNSRecordType
    public var qclass: UInt16
    public init(name: DNSName, type: DNSRecordType, qclass: UInt16 = dnsClassIN) {
        self.name = name; self.type = type; self.qclass = qclass
    }
}

/// Record data for the types served; anything else is kept as opaque bytes.
public enum DNSRecordData: Sendable, Equatable {
    case address([UInt8])  // A (4 bytes) or AAAA (16 bytes)
    case name(DNSName)  // CNAME, PTR, NS
    case service(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
    case authority(mname: DNSName, rname: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32)
    case text([[UInt8]])
    case opaque([UInt8])
}

public struct DNSRecord: Sendable, Equatable {
    public var name: DNSName
    public var type: DNSRecordType
    /// The class; for OPT the requestor's UDP payload size (RFC 6891 §6.1.2).
    public var rclass: UInt16
    /// The TTL; for OPT the extended rcode, version and flags (RFC 6891 §6.1.3).
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, type: DNSRecordType, rclass: UInt16 = dnsClassIN, ttl: UInt32, data: DNSRecordData) {
        self.name = name; self.type = type; self.rclass = rclass; self.ttl = ttl; self.data = data
    }
}

/// A DNS message (RFC 1035 §4.1): header flags, then the four sections.
public struct DNSMessage: Sendable, Equatable {
    public var id: UInt16 = 0
    public var isResponse = false
    public var opcode: UInt8 = 0
    public var authoritative = false
    public var truncated = false
    public var recursionDesired = false
    public var recursionAvailable = false
    public var zero = false
    public var authenticData = false
    public var checkingDisabled = false
    /// The 4-bit header rcode; with EDNS the full code is `rcode` plus the OPT record's upper bits.
    public var rcode: UInt8 = 0
    public var questions: [DNSQuestion] = []
    public var answers: [DNSRecord] = []
    public var authorities: [DNSRecord] = []
    public var additionals: [DNSRecord] = []

    public init() {}

    /// The EDNS OPT pseudo-record, if any.
    public var edns: DNSRecord? { additionals.first { $0.type == .opt } }

    /// The header's second 16 bits (QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode).
    var flags: UInt16 {
        var f = UInt16(opcode & 0xF) << 11 | UInt16(rcode & 0xF)
        if isResponse { f |= 0x8000 }
        if authoritative { f |= 0x0400 }
        if truncated { f |= 0x0200 }
        if recursionDesired { f |= 0x0100 }
        if recursionAvailable { f |= 0x0080 }
        if zero { f |= 0x0040 }
        if authenticData { f |= 0x0020 }
        if checkingDisabled { f |= 0x0010 }
        return f
    }

    mutating func setFlags(_ f: UInt16) {
        isResponse = f & 0x8000 != 0
        opcode = UInt8((f >> 11) & 0xF)
        authoritative = f & 0x0400 != 0
        truncated = f & 0x0200 != 0
        recursionDesired = f & 0x0100 != 0
        recursionAvailable = f & 0x0080 != 0
        zero = f & 0x0040 != 0
        authenticData = f & 0x0020 != 0
        checkingDisabled = f & 0x0010 != 0
        rcode = UInt8(f & 0xF)
    }
}
