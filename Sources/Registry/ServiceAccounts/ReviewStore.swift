import APIMachinery

/// The create-only review kinds, answered and never stored (upstream's REST for SelfSubjectReview,
/// SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview, LocalSubjectAccessReview).
///
/// The access reviews answer from the authorizer in force (`--authorization-mode`), as upstream's
/// REST for them asks the server's own authorizer and rule resolver.
public struct ReviewStore: Sendable {
    public let resource: APIResource

    public init?(resource: APIResource) {
        guard resource.verbs == ["create"] else { return nil }
        self.resource = resource
    }

    /// Answers a review posted by `user` (to `namespace` for LocalSubjectAccessReview).
    public func create(namespace: String?, body: JSON, user: UserInfo, authorizer: AuthorizerChain) throws(APIError) -> JSON {
        var review = try decode(body, namespace: namespace)
        let name = review[path: "metadata", "name"]?.stringValue ?? ""
        let errors = validate(review)
        if !errors.isEmpty { throw APIError.invalid(resource.groupKind, name, errors) }
        switch resource.kind {
        case "SelfSubjectReview":
            review["status"] = ["userInfo": user.json]
        case "SelfSubjectRulesReview":
            let rulesNamespace = review[path: "spec", "namespace"]?.stringValue ?? ""
            guard !rulesNamespace.isEmpty else {
                throw APIError.badRequest("no namespace on request")
            }
            review["status"] = Self.rulesStatus(authorizer.rules(for: user, namespace: rulesNamespace))
        case "SelfSubjectAccessReview":
            review["status"] = Self.accessStatus(authorizer.authorize(Self.attributes(review["spec"] ?? [:], user: user)))
        default:
            let spec = review["spec"] ?? [:]
            review["status"] = Self.accessStatus(authorizer.authorize(Self.attributes(spec, user: Self.subject(spec))))
        }
        return review
    }

    /// The user a SubjectAccessReview asks about (spec.user, groups, uid, extra), taken as given.
    static func subject(_ spec: JSON) -> UserInfo {
        var extra: [String: [String]] = [:]
        for (key, values) in spec["extra"]?.objectValue ?? [:] { extra[key] = (values.arrayValue ?? []).compactMap(\.stringValue) }
        return UserInfo(username: spec.string("user"), uid: spec.string("uid"),
                        groups: spec.array("groups").compactMap(\.stringValue), extra: extra)
    }

    /// ResourceAttributesFrom / NonResourceAttributesFrom: what the review asks about.
    static func attributes(_ spec: JSON, user: UserInfo) -> AuthorizationAttributes {
        if let attributes = spec["resourceAttributes"], !attributes.isNull {
            let version = attributes.string("version")
            return AuthorizationAttributes(user: user, verb: attributes.string("verb"), namespace: attributes.string("namespace"),
                                           apiGroup: attributes.string("group"), apiVersion: version.isEmpty ? "*" : version,
                                           resource: attributes.string("resource"), subresource: attributes.string("subresource"),
                                           name: attributes.string("name"))
        }
        let attributes = spec["nonResourceAttributes"] ?? [:]
        return AuthorizationAttributes(user: user, verb: attributes.string("verb"), path: attributes.string("path"))
    }

    /// SubjectAccessReviewStatus: `allowed` always; `denied`, `reason` and `evaluationError` when set.
    static func accessStatus(_ answer: Authorization) -> JSON {
        var status: JSONObject = ["allowed": .bool(answer.allowed)]
        if answer.decision == .deny { status["denied"] = true }
        if !answer.reason.isEmpty { status["reason"] = .string(answer.reason) }
        if let error = answer.evaluationError, !error.isEmpty { status["evaluationError"] = .string(error) }
        return .object(status)
    }

    /// SubjectRulesReviewStatus: the rules as lists (never null), `incomplete`, and the error if any.
    static func rulesStatus(_ rules: UserRules) -> JSON {
        var status: JSONObject = [
            "resourceRules": .array(rules.resourceRules.map(\.json)),
            "nonResourceRules": .array(rules.nonResourceRules.map(\.json)),
            "incomplete": .bool(rules.incomplete),
        ]
        if let error = rules.evaluationError, !error.isEmpty { status["evaluationError"] = .string(error) }
        return .object(status)
    }

    func decode(_ body: JSON, namespace: String?) throws(APIError) -> JSON {
        let expected = resource.apiVersion
        guard case .object = body else {
            throw APIError.badRequest("\(resource.kind) in version \"v1\" cannot be handled as a \(resource.kind): body is not an object")
        }
        let kind = body["kind"]?.stringValue ?? "", apiVersion = body["apiVersion"]?.stringValue ?? ""
        if !kind.isEmpty, kind != resource.kind {
            throw APIError.badRequest("\(kind) in version \(FieldError.quote(apiVersion)) cannot be handled as a \(resource.kind): no kind \(FieldError.quote(kind)) is registered for version \(FieldError.quote(apiVersion))")
        }
        if !apiVersion.isEmpty, apiVersion != expected {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(expected))")
        }
        var review = body
        review["apiVersion"] = .string(expected)
        review["kind"] = .string(resource.kind)
        review.setDefault("metadata", .object([:]))
        if review[path: "metadata", "creationTimestamp"] == nil { review[path: "metadata", "creationTimestamp"] = .null }
        if let namespace {
            // EnsureObjectNamespaceMatchesRequestNamespace, as every namespaced create.
            let given = review[path: "metadata", "namespace"]?.stringValue ?? ""
            if !given.isEmpty, given != namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            review[path: "metadata", "namespace"] = .string(namespace)
        }
        return review
    }

    /// pkg/apis/authorization/validation; SelfSubjectReview and SelfSubjectRulesReview have none.
    func validate(_ review: JSON) -> [FieldError] {
        let spec = review["spec"] ?? [:]
        var errs: [FieldError] = []
        switch resource.kind {
        case "SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview":
            let resourceAttributes = spec["resourceAttributes"].flatMap { $0.isNull ? nil : $0 }
            let nonResourceAttributes = spec["nonResourceAttributes"].flatMap { $0.isNull ? nil : $0 }
            if resourceAttributes != nil, nonResourceAttributes != nil {
                errs.append(.invalid(FieldPath("spec.nonResourceAttributes"), nonResourceAttributes,
                                     "cannot be specified in combination with resourceAttributes"))
            }
            if resourceAttributes == nil, nonResourceAttributes == nil {
                errs.append(FieldError(.invalid, FieldPath("spec.resourceAttributes"), value: "null",
                                       "exactly one of nonResourceAttributes or resourceAttributes must be specified"))
            }
            if resource.kind != "SelfSubjectAccessReview", spec.string("user").isEmpty, spec.array("groups").isEmpty {
                errs.append(.invalid(FieldPath("spec.user"), "", "at least one of user or group must be specified"))
            }
            errs += metadataMustBeEmpty(review)
            if resource.kind == "LocalSubjectAccessReview" {
                let namespace = review[path: "metadata", "namespace"]?.stringValue ?? ""
                if let attributes = resourceAttributes, attributes.string("namespace") != namespace {
                    errs.append(.invalid(FieldPath("spec.resourceAttributes.namespace"), attributes.string("namespace"),
                                         "must match metadata.namespace"))
                }
                if let attributes = nonResourceAttributes {
                    errs.append(.invalid(FieldPath("spec.nonResourceAttributes"), attributes, "disallowed on this kind of request"))
                }
            }
        default:
            break
        }
        return errs
    }

    /// The access reviews carry no metadata (a LocalSubjectAccessReview its namespace only).
    func metadataMustBeEmpty(_ review: JSON) -> [FieldError] {
        var metadata = review["metadata"]?.objectValue ?? [:]
        metadata["creationTimestamp"] = nil
        metadata["managedFields"] = nil
        if resource.kind == "LocalSubjectAccessReview" { metadata["namespace"] = nil }
        let meaningful = metadata.filter { !FieldValidation.isEmptyValue($0.value) }
        guard !meaningful.isEmpty else { return [] }
        let detail = resource.kind == "LocalSubjectAccessReview" ? "must be empty except for namespace" : "must be empty"
        return [.invalid(FieldPath("metadata"), review["metadata"], detail)]
    }
}
