import ControllerRuntime
/// A domain name as its wire labels (RFC 1035 §3.1). Labels are kept as bytes because a label may
/// hold any octet, including `.`; comparisons are ASCII case-insensitive as DNS requires, while the
/// original spelling is kept so an answer echoes the question's case (as CoreDNS does).
public struct DNSName: Sendable, Hashable, CustomStringConvertible {
    public private(set) var labels: [[UInt8]]

    /// Longest name on the wire, counting length octets and the root (RFC 1035 §2.3.4).
    public static let maxWireLength = 255
    public static let maxLabelLength = 63
    public static let root = DNSName(labels: [])

    public init(labels: [[UInt8]]) { self.labels = labels }

    /// A name from dotted text (`redis-svc.default.svc.cluster.local`, trailing dot optional).
    /// No escapes: the names built here come from Kubernetes objects, which are DNS-1123 already.
    public init(_ text: String) {
        labels = text.split(separator: ".", omittingEmptySubsequences: true).map { Array($0.utf8) }
    }

    /// Bytes this name takes on the wire without compression.
    public var wireLength: Int { labels.reduce(1) { $0 + 1 + $1.count } }

    /// The name with ASCII letters lowered: the key for lookups and compression.
    public var lowercased: DNSName {
        DNSName(labels: labels.map { $0.map { ($0 >= 65 && $0 <= 90) ? $0 + 32 : $0 } })
    }

    /// True when `self` equals `zone` or lies below it (case-insensitive).
    public func isSubdomain(of zone: DNSName) -> Bool {
        guard zone.labels.count <= labels.count else { return false }
        let tail = DNSName(labels: Array(labels.suffix(zone.labels.count)))
        return tail.lowercased.labels == zone.lowercased.labels
    }

    /// The labels left of `zone`, lowercased, as text (`nil` when not below `zone`).
    public func relativeLabels(to zone: DNSName) -> [String]? {
        guard isSubdomain(of: zone) else { return nil }
        return lowercased.labels.prefix(labels.count - zone.labels.count).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A name below this one: `name.prepending(["_http", "_tcp"])`.
    public func prepending(_ more: [String]) -> DNSName {
        DNSName(labels: more.map { Array($0.utf8) } + labels)
    }

    public static func == (a: DNSName, b: DNSName) -> Bool { a.lowercased.labels == b.lowercased.labels }
    public func hash(into hasher: inout Hasher) { hasher.combine(lowercased.labels) }

    /// Presentation format with a trailing dot, escaping as dig prints (`\.`, `\DDD`).
    public var description: String {
        if labels.isEmpty { return "." }
        var out = ""
        for label in labels {
            for byte in label {
                switch byte {
                case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("),
                     UInt8(ascii: ")"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                    out.append("\\"); out.append(Character(Unicode.Scalar(byte)))
                case 33...126:
                    out.append(Character(Unicode.Scalar(byte)))
                default:
                    let digits = String(byte)
                    out.append("\\" + String(repeating: "0", count: 3 - digits.count) + digits)
                }
            }
            out.append(".")
        }
        return out
    }
}
