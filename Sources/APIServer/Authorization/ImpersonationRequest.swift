import APIMachinery
import Foundation
import HTTPServer
import Registry

/// The `Impersonate-User`, `-Group`, `-Uid` and `-Extra-<key>` headers (kubectl's `--as`,
/// `--as-group`, `--as-uid`), as k8s.io/apiserver's WithImpersonation reads them: who the request
/// then acts as, and the `impersonate` checks the requester must pass for each header.
struct ImpersonationRequest: Sendable {
    var username: String
    var groups: [String]
    var uid: String
    /// Extra keys (lower-cased, percent-decoded) with their values, in header order.
    var extra: [(key: String, value: String)]

    /// nil when the request impersonates nobody.
    static func parse(_ request: HTTPRequest) throws(APIError) -> ImpersonationRequest? {
        var parsed = ImpersonationRequest(username: "", groups: [], uid: "", extra: [])
        var any = false
        for header in request.headers {
            let name = header.name.lowercased()
            guard name.hasPrefix("impersonate-") else { continue }
            any = true
            switch name {
            case "impersonate-user": parsed.username = header.value
            case "impersonate-group": parsed.groups.append(header.value)
            case "impersonate-uid": parsed.uid = header.value
            default:
                if name.hasPrefix("impersonate-extra-") {
                    let key = String(name.dropFirst("impersonate-extra-".count))
                    parsed.extra.append((key.removingPercentEncoding ?? key, header.value))
                }
            }
        }
        guard any else { return nil }
        if parsed.username.isEmpty {
            guard parsed.groups.isEmpty, parsed.uid.isEmpty, parsed.extra.isEmpty else {
                throw APIError.badRequest("requested \(parsed.groups.isEmpty ? "impersonation" : "groups") without impersonating a user")
            }
            return nil
        }
        return parsed
    }

    /// `system:serviceaccount:<namespace>:<name>` split, when the username is a service account's.
    var serviceAccount: (namespace: String, name: String)? {
        let parts = username.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount", !parts[2].isEmpty, !parts[3].isEmpty else { return nil }
        return (String(parts[2]), String(parts[3]))
    }

    /// The user the request acts as: a service account without groups given gets its fixed ones,
    /// and everyone but `system:anonymous` is in `system:authenticated` unless told otherwise.
    var user: UserInfo {
        var groups = self.groups
        if groups.isEmpty, let account = serviceAccount {
            groups = ["system:serviceaccounts", "system:serviceaccounts:\(account.namespace)"]
        }
        if username == "system:anonymous" {
            if !groups.contains("system:unauthenticated") { groups.append("system:unauthenticated") }
        } else if !groups.contains("system:authenticated"), !groups.contains("system:unauthenticated") {
            groups.append("system:authenticated")
        }
        var extraMap: [String: [String]] = [:]
        for (key, value) in extra { extraMap[key, default: []].append(value) }
        return UserInfo(username: username, uid: uid, groups: groups, extra: extraMap)
    }

    /// What `requester` must be allowed to `impersonate`, in upstream's order: the user (or service
    /// account), each group, each extra value, the uid.
    func checks(by requester: UserInfo) -> [AuthorizationAttributes] {
        var checks: [AuthorizationAttributes] = []
        if let account = serviceAccount {
            checks.append(AuthorizationAttributes(user: requester, verb: "impersonate", namespace: account.namespace,
                                                  apiVersion: "v1", resource: "serviceaccounts", name: account.name))
        } else {
            checks.append(AuthorizationAttributes(user: requester, verb: "impersonate", apiVersion: "v1", resource: "users", name: username))
        }
        for group in groups {
            checks.append(AuthorizationAttributes(user: requester, verb: "impersonate", apiVersion: "v1", resource: "groups", name: group))
        }
        for (key, value) in extra {
            checks.append(AuthorizationAttributes(user: requester, verb: "impersonate", apiGroup: "authentication.k8s.io",
                                                  apiVersion: "v1", resource: "userextras", subresource: key, name: value))
        }
        if !uid.isEmpty {
            checks.append(AuthorizationAttributes(user: requester, verb: "impersonate", apiGroup: "authentication.k8s.io",
                                                  apiVersion: "v1", resource: "uids", name: uid))
        }
        return checks
    }
}
