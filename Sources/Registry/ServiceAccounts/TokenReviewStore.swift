import APIMachinery
import Foundation

/// authentication.k8s.io/v1 TokenReview (pkg/registry/authentication/tokenreview): says whether a
/// service account token authenticates, and as whom. The signer checks signature, issuer, validity
/// and audiences; this store then checks, as upstream's validator does, that the account (and the
/// pod, secret or node the token is bound to) still exist with the uids the token names.
public struct TokenReviewStore: Sendable {
    static let groupKind = GroupKind(group: "authentication.k8s.io", kind: "TokenReview")
    /// invalidIfDeletedBefore: a bound object being deleted for longer than this ends its tokens.
    static let deletionGrace: TimeInterval = 60

    let registry: Registry
    let issuer: any ServiceAccountTokenIssuer

    public func create(body: JSON) throws(APIError) -> JSON {
        var review = try ReviewStore(resource: ResourceCatalog.tokenReviews)!.decode(body, namespace: nil)
        let token = review[path: "spec", "token"]?.stringValue ?? ""
        if token.isEmpty { throw APIError.badRequest("token is required for TokenReview in authentication") }
        let requested = review[path: "spec", "audiences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let audiences = requested.isEmpty ? issuer.apiAudiences : requested
        var status: JSONObject = [:]
        do {
            let claims = try issuer.verifyToken(token, audiences: audiences, now: registry.clock.now())
            let user = try validate(claims, token: token)
            status["authenticated"] = true
            status["user"] = user.json
            if !requested.isEmpty { status["audiences"] = .array(claims.audiences.filter(requested.contains).map { .string($0) }) }
        } catch {
            status["authenticated"] = false
            status["user"] = [:]
            switch error {
            case .notOurs: status["error"] = "invalid bearer token"
            case .invalid(let why): status["error"] = .string("[invalid bearer token, \(why)]")
            }
        }
        review["status"] = .object(status)
        return review
    }

    /// The service account token authenticator kube-apiserver runs on every bearer token: the same
    /// signer checks for the API server's own audiences, then the validator below.
    public func authenticate(token: String) throws(TokenRejection) -> UserInfo {
        let claims = try issuer.verifyToken(token, audiences: issuer.apiAudiences, now: registry.clock.now())
        return try validate(claims, token: token)
    }

    /// The validator: the objects the token names must still be the ones it was issued for.
    func validate(_ claims: ServiceAccountTokenClaims, token: String) throws(TokenRejection) -> UserInfo {
        let namespace = claims.namespace
        let now = registry.clock.now()
        func lookup(_ plural: String, _ namespace: String?, _ name: String) -> JSON? {
            try? registry.store(group: "", plural: plural)?.get(namespace: namespace, name: name).object
        }
        func goneLongAgo(_ object: JSON) -> Bool {
            guard let since = object[path: "metadata", "deletionTimestamp"]?.stringValue, let date = Timestamp.parse(since) else { return false }
            return date < now.addingTimeInterval(-Self.deletionGrace)
        }
        guard let account = lookup("serviceaccounts", namespace, claims.serviceAccount.name) else {
            throw .invalid("serviceaccounts \(FieldError.quote(claims.serviceAccount.name)) not found")
        }
        if account.meta.uid != claims.serviceAccount.uid {
            throw .invalid("service account UID (\(account.meta.uid)) does not match claim (\(claims.serviceAccount.uid))")
        }
        var extra: [String: [String]] = [:]
        if claims.legacy, let ref = claims.secret {
            // The legacy validator: the Secret must still hold this very token.
            let stored = lookup("secrets", namespace, ref.name)?[path: "data", "token"]?.stringValue
                .flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
            guard let stored else { throw .invalid("secrets \(FieldError.quote(ref.name)) not found") }
            if stored != token { throw .invalid("Token does not match server's copy") }
        } else if let ref = claims.secret {
            guard let secret = lookup("secrets", namespace, ref.name), !goneLongAgo(secret) else {
                throw .invalid("service account token has been invalidated")
            }
            if secret.meta.uid != ref.uid {
                throw .invalid("secret UID (\(secret.meta.uid)) does not match service account secret ref claim (\(ref.uid))")
            }
        }
        if let ref = claims.pod {
            guard let pod = lookup("pods", namespace, ref.name), !goneLongAgo(pod) else {
                throw .invalid("service account token has been invalidated")
            }
            if pod.meta.uid != ref.uid {
                throw .invalid("pod UID (\(pod.meta.uid)) does not match service account pod ref claim (\(ref.uid))")
            }
            extra["authentication.kubernetes.io/pod-name"] = [ref.name]
            extra["authentication.kubernetes.io/pod-uid"] = [ref.uid]
        }
        if let ref = claims.node {
            // A pod-bound token names the pod's node for information; a node-bound one goes with it.
            if claims.pod == nil {
                guard let node = lookup("nodes", nil, ref.name), !goneLongAgo(node) else {
                    throw .invalid("service account token has been invalidated")
                }
                if node.meta.uid != ref.uid {
                    throw .invalid("node UID (\(node.meta.uid)) does not match service account node ref claim (\(ref.uid))")
                }
            }
            extra["authentication.kubernetes.io/node-name"] = [ref.name]
            extra["authentication.kubernetes.io/node-uid"] = [ref.uid]
        }
        if !claims.id.isEmpty { extra["authentication.kubernetes.io/credential-id"] = ["JTI=\(claims.id)"] }
        return UserInfo(username: claims.subject, uid: account.meta.uid,
                        groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"],
                        extra: extra)
    }
}

extension Registry {
    /// `tokenreviews`; nil until a signer is connected.
    public var tokenReviews: TokenReviewStore? {
        tokenIssuer.map { TokenReviewStore(registry: self, issuer: $0) }
    }
}
