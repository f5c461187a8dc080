import APIMachinery
import ControllerRuntime

extension JSON {
    /// Equality that ignores the order of object members, as Go's semantic DeepEqual of decoded
    /// structs does (stored objects may list members in another order than a controller builds them).
    func sameContent(as other: JSON) -> Bool {
        switch (self, other) {
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { key, value in b[key].map { value.sameContent(as: $0) } ?? false }
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.sameContent(as: $1) }
        default:
            return self == other
        }
    }
}

extension Optional where Wrapped == JSON {
    /// Absent, null, empty array and empty object are one value, as Go's omitempty round trip makes them.
    func sameContent(as other: JSON?) -> Bool {
        func normal(_ v: JSON?) -> JSON? {
            switch v {
            case nil, .null?: return nil
            case .array(let a)? where a.isEmpty: return nil
            case .object(let o)? where o.isEmpty: return nil
            default: return v
            }
        }
        switch (normal(self), normal(other)) {
        case (nil, nil): return true
        case (let a?, let b?): return a.sameContent(as: b)
        default: return false
        }
    }
}
