import HTTPServer
import Registry

/// upstream's bearertoken authenticator: `Authorization: Bearer <token>` offered to each token
/// source in turn. A header of another scheme, or an empty token, is no credential; a token that no
/// source recognises is an error ("invalid bearer token"), so it is 401 even with anonymous auth on.
struct BearerTokenAuthenticator: RequestAuthenticator {
    let tokens: [any TokenAuthenticator]
    var removesAuthorizationHeader: Bool { true }

    func authenticate(_ request: HTTPRequest) -> AuthenticationOutcome {
        guard let token = Self.bearerToken(request) else { return .notPresented }
        var reasons: [String] = []
        for source in tokens {
            switch source.authenticate(token: token) {
            case .authenticated(let user): return .authenticated(user)
            case .notPresented: continue
            case .rejected(let reason): reasons.append(reason)
            }
        }
        return .rejected(reasons.isEmpty ? "invalid bearer token" : "[invalid bearer token, \(reasons.joined(separator: ", "))]")
    }

    /// The token of an `Authorization` header of scheme `Bearer` (any case), as upstream splits it:
    /// trimmed, at most three space-separated parts, the second being the token.
    static func bearerToken(_ request: HTTPRequest) -> String? {
        guard let header = request.header("authorization")?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        let parts = header.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else { return nil }
        return String(parts[1])
    }
}
