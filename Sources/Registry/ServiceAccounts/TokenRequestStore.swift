import APIMachinery
import Foundation

/// The `serviceaccounts/token` subresource (upstream's TokenREST): a POST of an
/// authentication.k8s.io/v1 TokenRequest answers it with a signed token for the account, optionally
/// bound to a pod or secret whose deletion ends its validity for a verifier that checks.
public struct TokenRequestStore: Sendable {
    static let groupKind = GroupKind(group: "authentication.k8s.io", kind: "TokenRequest")
    static let serviceAccounts = GroupResource(group: "", resource: "serviceaccounts")
    /// token.WarnOnlyBoundTokenExpirationSeconds: what the kubelet asks for projected tokens; such a
    /// token is extended to a year (ExpirationExtensionSeconds) and carries `warnafter` instead.
    static let warnOnlyExpirationSeconds: Int64 = 3607
    static let extendedExpirationSeconds: Int64 = 365 * 24 * 3600

    let registry: Registry
    let issuer: any ServiceAccountTokenIssuer

    /// Creates a token for ServiceAccount `name` in `namespace` from a TokenRequest body; answers
    /// the TokenRequest with `status.token` and `status.expirationTimestamp`.
    /// A dry run is answered as any other (upstream's TokenREST stores nothing either way).
    public func create(namespace: String, name: String, body: JSON) throws(APIError) -> JSON {
        var request = try Self.decode(body)
        request.setDefault("spec", .object([:]))
        request.modifyPath("spec") { $0.setDefaultInt("expirationSeconds", 3600) }
        let requestName = request[path: "metadata", "name"]?.stringValue ?? ""
        let requestNamespace = request[path: "metadata", "namespace"]?.stringValue ?? ""
        if !requestName.isEmpty, requestName != name {
            throw APIError.invalid(Self.groupKind, name, [.invalid(FieldPath("metadata.name"), requestName,
                                                                   "must match the service account name if specified")])
        }
        if !requestNamespace.isEmpty, requestNamespace != namespace {
            throw APIError.invalid(Self.groupKind, name, [.invalid(FieldPath("metadata.namespace"), requestNamespace,
                                                                   "must match the service account namespace if specified")])
        }
        let account = try store("serviceaccounts").get(namespace: namespace, name: name).object
        // Validated after the account is found, and named "" in the Status, as upstream's TokenREST does.
        let errors = Self.validate(request)
        if !errors.isEmpty { throw APIError.invalid(Self.groupKind, "", errors) }
        var audiences = request[path: "spec", "audiences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if audiences.isEmpty { audiences = issuer.apiAudiences }
        let now = registry.clock.now()
        var claims = ServiceAccountTokenClaims(
            issuer: issuer.issuer, audiences: audiences, issuedAt: now, expiresAt: now, namespace: namespace,
            serviceAccount: .init(name: name, uid: account.meta.uid), id: UIDGenerator.generate())
        try bind(&claims, request[path: "spec", "boundObjectRef"], namespace: namespace, account: name)

        let requested = request[path: "spec", "expirationSeconds"]?.intValue ?? 3600
        var lifetime = requested
        let kubeAudiences = audiences.allSatisfy(issuer.apiAudiences.contains)
        if claims.pod != nil, requested == Self.warnOnlyExpirationSeconds, kubeAudiences {
            lifetime = Self.extendedExpirationSeconds
            claims.warnAfter = now.addingTimeInterval(TimeInterval(requested))
        }
        claims.expiresAt = now.addingTimeInterval(TimeInterval(lifetime))
        let token: String
        do { token = try issuer.generateToken(claims) } catch {
            throw APIError.internalError("failed to generate token: \(error)")
        }
        request["apiVersion"] = "authentication.k8s.io/v1"
        request["kind"] = "TokenRequest"
        request.modifyPath("metadata") { metadata in
            metadata.setDefaultString("name", name)
            metadata.setDefaultString("namespace", namespace)
            metadata["creationTimestamp"] = .string(Timestamp.format(now))
        }
        request[path: "spec", "audiences"] = .array(audiences.map { .string($0) })
        request["status"] = [
            "token": .string(token),
            "expirationTimestamp": .string(Timestamp.format(now.addingTimeInterval(TimeInterval(requested)))),
        ]
        return request
    }

    /// The bound object (a pod, a secret, a node) must exist with the uid given; a pod must run as
    /// the account; a pod on a node names the node too (ServiceAccountTokenPodNodeInfo).
    func bind(_ claims: inout ServiceAccountTokenClaims, _ ref: JSON?, namespace: String, account: String) throws(APIError) {
        guard let ref, !ref.isNull else { return }
        let kind = ref.string("kind"), apiVersion = ref.string("apiVersion"), name = ref.string("name")
        let group = apiVersion.contains("/") ? String(apiVersion.prefix { $0 != "/" }) : ""
        let object: JSON
        switch (group, kind) {
        case ("", "Pod"):
            object = try store("pods").get(namespace: namespace, name: name).object
            let runsAs = PodView(object).serviceAccountName ?? ""
            if runsAs != account {
                throw APIError.badRequest("cannot bind token for serviceaccount \(FieldError.quote(account)) to pod running with different serviceaccount name.")
            }
            claims.pod = .init(name: name, uid: object.meta.uid)
            // A node that is not found still names the pod's node, without a uid.
            if case let nodeName = PodView(object).nodeName, !nodeName.isEmpty {
                let node = try? store("nodes").get(namespace: nil, name: nodeName).object
                claims.node = .init(name: nodeName, uid: node?.meta.uid ?? "")
            }
        case ("", "Secret"):
            object = try store("secrets").get(namespace: namespace, name: name).object
            claims.secret = .init(name: name, uid: object.meta.uid)
        case ("", "Node"):
            // ServiceAccountTokenNodeBinding (beta, on in 1.32): a token that ends with its node.
            object = try store("nodes").get(namespace: nil, name: name).object
            claims.node = .init(name: name, uid: object.meta.uid)
        default:
            let version = apiVersion.contains("/") ? String(apiVersion.drop { $0 != "/" }.dropFirst()) : apiVersion
            throw APIError.badRequest("cannot bind token to object of type \(group)/\(version), Kind=\(kind)")
        }
        let uid = ref.string("uid")
        if !uid.isEmpty, uid != object.meta.uid {
            throw APIError.conflict(GroupResource(group: group, resource: kind), name,
                                    "the UID in the bound object reference (\(uid)) does not match the UID in record. The object might have been deleted and then recreated")
        }
    }

    /// ValidateTokenRequest.
    static func validate(_ request: JSON) -> [FieldError] {
        let path = FieldPath("spec.expirationSeconds")
        let seconds = request[path: "spec", "expirationSeconds"]?.intValue ?? 0
        if seconds < 600 { return [.invalid(path, .int(seconds), "may not specify a duration less than 10 minutes")] }
        if seconds > 1 << 32 { return [.invalid(path, .int(seconds), "may not specify a duration larger than 2^32 seconds")] }
        return []
    }

    static func decode(_ body: JSON) throws(APIError) -> JSON {
        guard case .object = body else { throw APIError.badRequest("TokenRequest in version \"v1\" cannot be handled as a TokenRequest: body is not an object") }
        let kind = body["kind"]?.stringValue ?? "", apiVersion = body["apiVersion"]?.stringValue ?? ""
        if !kind.isEmpty, kind != "TokenRequest" {
            throw APIError.badRequest("\(kind) in version \(FieldError.quote(apiVersion)) cannot be handled as a TokenRequest: no kind \(FieldError.quote(kind)) is registered for version \(FieldError.quote(apiVersion))")
        }
        if !apiVersion.isEmpty, apiVersion != "authentication.k8s.io/v1" {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (authentication.k8s.io/v1)")
        }
        return body
    }

    func store(_ plural: String) throws(APIError) -> ResourceStore {
        guard let store = registry.store(group: "", plural: plural) else { throw APIError.internalError("\(plural) are not served") }
        return store
    }
}

extension Registry {
    /// Connects `serviceaccounts/token` to the signer holding the cluster's service account key.
    public func connectTokenIssuer(_ issuer: any ServiceAccountTokenIssuer) { tokenIssuerSlot.set(issuer) }

    /// The signer; nil until `connectTokenIssuer`.
    public var tokenIssuer: (any ServiceAccountTokenIssuer)? { tokenIssuerSlot.get() }

    /// `serviceaccounts/token`; nil until a signer is connected.
    public var tokenRequests: TokenRequestStore? {
        tokenIssuer.map { TokenRequestStore(registry: self, issuer: $0) }
    }
}
