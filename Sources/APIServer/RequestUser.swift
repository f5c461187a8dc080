import APIMachinery
import HTTPServer
import Registry

/// Who a request acts as: the user authentication found (`AuthenticationChain`), unless it
/// impersonates someone with kubectl's `--as`/`--as-group`/`--as-uid` (the `Impersonate-*` headers),
/// as k8s.io/apiserver's WithImpersonation runs after WithAuthentication.
enum RequestUser {
    static func of(_ request: HTTPRequest, authenticated: UserInfo) throws(APIError) -> UserInfo {
        let username = request.header("Impersonate-User") ?? ""
        let groups = request.headers.filter { $0.name.lowercased() == "impersonate-group" }.map(\.value)
        let uid = request.header("Impersonate-Uid") ?? ""
        var extra: [String: [String]] = [:]
        for header in request.headers where header.name.lowercased().hasPrefix("impersonate-extra-") {
            let key = String(header.name.dropFirst("impersonate-extra-".count)).lowercased()
            extra[key.removingPercentEncoding ?? key, default: []].append(header.value)
        }
        if username.isEmpty {
            guard groups.isEmpty, uid.isEmpty, extra.isEmpty else {
                throw APIError.badRequest("requested \(groups.isEmpty ? "impersonation" : "groups") without impersonating a user")
            }
            return authenticated
        }
        var impersonated = UserInfo(username: username, uid: uid, groups: groups, extra: extra)
        // A service account without groups given gets its fixed ones, as the impersonation filter adds them.
        let parts = username.split(separator: ":", omittingEmptySubsequences: false)
        if groups.isEmpty, parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" {
            impersonated.groups = ["system:serviceaccounts", "system:serviceaccounts:\(parts[2])"]
        }
        let implicit = username == "system:anonymous" ? "system:unauthenticated" : "system:authenticated"
        if !impersonated.groups.contains("system:authenticated"), !impersonated.groups.contains("system:unauthenticated") {
            impersonated.groups.append(implicit)
        }
        return impersonated
    }
}
