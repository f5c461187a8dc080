import APIMachinery
import HTTPServer
import Registry

/// Query parameters shared by the verbs, validated as upstream validates them.
enum QueryOptions {
    static func write(_ served: ServedRequest) throws(APIError) -> WriteOptions {
        let request = served.request
        var options = WriteOptions()
        options.dryRun = try dryRun(request)
        options.fieldManager = request.queryValue("fieldManager")
        if let manager = options.fieldManager, manager.count > 128 {
            throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "PatchOptions"), "", [
                .tooLong(FieldPath("fieldManager"), 128),
            ])
        }
        options.fieldValidation = try FieldValidationDirective.parse(request.queryValue("fieldValidation"))
        options.userAgent = request.userAgent
        options.requester = try RequestUser.of(served)
        return options
    }

    /// PatchOptions beyond the common ones, checked as upstream's `ValidatePatchOptions`: `force`
    /// only on an apply, and an apply must name its fieldManager (422, PatchOptions invalid).
    static func patch(_ request: HTTPRequest, type: PatchType, options: inout WriteOptions) throws(APIError) {
        let force = request.queryValue("force")
        if let force {
            guard let value = Bool(force.lowercased()) ?? (force == "1" ? true : force == "0" ? false : nil) else {
                throw APIError.badRequest("strconv.ParseBool: parsing \(FieldError.quote(force)): invalid syntax")
            }
            options.force = value
        }
        var errors: [FieldError] = []
        if type != .apply, force != nil {
            errors.append(.forbidden(FieldPath("force"), "may not be specified for non-apply patch"))
        }
        if type == .apply, (options.fieldManager ?? "").isEmpty {
            errors.append(.required(FieldPath("fieldManager"), "is required for apply patch"))
        }
        if !errors.isEmpty {
            throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "PatchOptions"), "", errors)
        }
    }

    /// `dryRun=All` is the only value upstream accepts.
    static func dryRun(_ request: HTTPRequest) throws(APIError) -> Bool {
        let values = request.query.filter { $0.name == "dryRun" }.map(\.value)
        for v in values where v != "All" {
            throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "CreateOptions"), "", [
                .notSupported(FieldPath("dryRun"), .string(v), ["All"]),
            ])
        }
        return !values.isEmpty
    }

    /// DeleteOptions from the body (if any) overlaid with query parameters.
    static func delete(_ request: HTTPRequest, body: JSON?) throws(APIError) -> DeleteOptions {
        var options = DeleteOptions()
        if let body, case .object = body {
            if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != "DeleteOptions" {
                throw APIError.badRequest("\(kind) in version \"v1\" cannot be handled as a DeleteOptions")
            }
            if let grace = body["gracePeriodSeconds"], !grace.isNull {
                guard let g = grace.intValue else { throw APIError.badRequest("json: cannot unmarshal \(grace.typeName) into Go struct field DeleteOptions.gracePeriodSeconds of type int64") }
                options.gracePeriodSeconds = g
            }
            if let p = body["propagationPolicy"]?.stringValue { options.propagationPolicy = try propagation(p) }
            if let orphan = body["orphanDependents"]?.boolValue, options.propagationPolicy == nil {
                options.propagationPolicy = orphan ? .orphan : .background
            }
            options.preconditionUID = body[path: "preconditions", "uid"]?.stringValue
            options.preconditionResourceVersion = body[path: "preconditions", "resourceVersion"]?.stringValue
            if let dry = body["dryRun"]?.arrayValue {
                for v in dry where v.stringValue != "All" {
                    throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "DeleteOptions"), "", [.notSupported(FieldPath("dryRun"), v, ["All"])])
                }
                options.dryRun = !dry.isEmpty
            }
        } else if let body, !body.isNull {
            throw APIError.badRequest("json: cannot unmarshal \(body.typeName) into Go value of type v1.DeleteOptions")
        }
        if let g = request.queryValue("gracePeriodSeconds") {
            guard let value = Int64(g) else { throw APIError.badRequest("invalid value \"\(g)\" for gracePeriodSeconds: strconv.ParseInt: parsing \"\(g)\": invalid syntax") }
            options.gracePeriodSeconds = value
        }
        if let p = request.queryValue("propagationPolicy") { options.propagationPolicy = try propagation(p) }
        if try dryRun(request) { options.dryRun = true }
        if let g = options.gracePeriodSeconds, g < 0 { options.gracePeriodSeconds = 1 }
        return options
    }

    static func propagation(_ value: String) throws(APIError) -> DeleteOptions.Propagation {
        guard let p = DeleteOptions.Propagation(rawValue: value) else {
            throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "DeleteOptions"), "", [
                .notSupported(FieldPath("propagationPolicy"), .string(value), ["Foreground", "Background", "Orphan", "nil"]),
            ])
        }
        return p
    }
}
