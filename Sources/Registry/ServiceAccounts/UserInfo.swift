import APIMachinery

/// Who made a request (k8s.io/apiserver's user.Info). Kubelite has no authentication yet (issue 17):
/// every request is unauthenticated, and kube-apiserver names such a request `system:anonymous` in
/// group `system:unauthenticated` (anonymous auth). Reviews answer with this identity.
public struct UserInfo: Sendable, Equatable {
    public var username: String
    public var uid: String
    public var groups: [String]
    public var extra: [String: [String]]

    public init(username: String, uid: String = "", groups: [String], extra: [String: [String]] = [:]) {
        self.username = username; self.uid = uid; self.groups = groups; self.extra = extra
    }

    public static let anonymous = UserInfo(username: "system:anonymous", groups: ["system:unauthenticated"])

    /// authentication.k8s.io/v1 UserInfo (empty uid and groups omitted).
    public var json: JSON {
        var object: JSONObject = ["username": .string(username)]
        if !uid.isEmpty { object["uid"] = .string(uid) }
        if !groups.isEmpty { object["groups"] = .array(groups.map { .string($0) }) }
        if !extra.isEmpty {
            object["extra"] = .object(JSONObject(uniqueKeysWithValues: extra.keys.sorted().map { key in
                (key, JSON.array(extra[key]!.map { .string($0) }))
            }))
        }
        return .object(object)
    }
}
