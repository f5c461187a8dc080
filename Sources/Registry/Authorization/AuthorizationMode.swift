import APIMachinery

/// One of `--authorization-mode`'s values, with upstream's names (Node and Webhook are not served).
public enum AuthorizationMode: String, Sendable, CaseIterable {
    case alwaysAllow = "AlwaysAllow"
    case alwaysDeny = "AlwaysDeny"
    case rbac = "RBAC"

    /// Parses the comma-separated flag as kube-apiserver validates it (BuiltInAuthorizationOptions.
    /// Validate): at least one mode, each known, none twice.
    public static func parseList(_ text: String) throws(AuthorizationModeError) -> [AuthorizationMode] {
        let names = text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        guard !names.isEmpty else { throw AuthorizationModeError(message: "at least one authorization-mode must be passed") }
        var modes: [AuthorizationMode] = []
        for name in names {
            guard let mode = AuthorizationMode(rawValue: name) else {
                throw AuthorizationModeError(message: "authorization-mode \(FieldError.quote(name)) is not a valid mode")
            }
            modes.append(mode)
        }
        guard Set(modes).count == modes.count else {
            throw AuthorizationModeError(message: "authorization-mode \(GoQuoted.list(names)) has mode specified more than once")
        }
        return modes
    }
}

public struct AuthorizationModeError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
