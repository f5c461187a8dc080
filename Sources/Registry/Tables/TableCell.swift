import APIMachinery
import Foundation

/// A Table cell as a printer computes it before the time of the request is known. Most cells depend
/// only on the object; the few that print how long ago something happened (AGE, a pod's last restart)
/// are kept open as the time they count from, so a row can be computed once per stored revision and
/// only those cells rendered per request (`TableRowTemplate`).
public enum TableCell: Sendable, Equatable {
    case value(JSON)
    /// `prefix + HumanDuration(now - since) + suffix`, as upstream's translateTimestampSince prints it.
    case since(Date, prefix: String = "", suffix: String = "")

    /// The cell as upstream prints it at `now`.
    public func rendered(now: Date) -> JSON {
        switch self {
        case .value(let value): return value
        case .since(let date, let prefix, let suffix): return .string(Self.text(since: date, prefix: prefix, suffix: suffix, now: now))
        }
    }

    static func text(since date: Date, prefix: String, suffix: String, now: Date) -> String {
        let duration = Timestamp.humanDuration(now.timeIntervalSince(date))
        return prefix.isEmpty && suffix.isEmpty ? duration : prefix + duration + suffix
    }
}

extension TableCell: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .value(.string(value)) }
}
