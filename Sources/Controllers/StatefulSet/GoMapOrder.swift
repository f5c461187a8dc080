import APIMachinery
import ControllerRuntime
import Foundation

/// Go's JSON encoding of a `map[string]...`: keys sorted bytewise. Used where upstream
/// re-marshals through maps (revision patches).
enum GoMapOrder {
    static func sortedKeys(_ value: JSON) -> JSON {
        switch value {
        case .object(let members):
            var sorted = JSONObject()
            for key in members.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
                sorted[key] = sortedKeys(members[key]!)
            }
            return .object(sorted)
        case .array(let items): return .array(items.map(sortedKeys))
        default: return value
        }
    }

}
