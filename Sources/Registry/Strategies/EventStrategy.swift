import APIMachinery

/// core/v1 Events (pkg/registry/core/event/strategy.go, legacyValidateEvent). Their names only
/// need to be URL path segments: the generic store's check is the only one upstream applies.
public struct EventStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.events }
    public var nameValidator: NameValidator { NameValidation.nameIsPathSegment }

    /// The members Go always writes for an Event (zero times as null, empty reporting fields).
    public func applyDefaults(_ object: inout JSON) {
        object.setDefault("involvedObject", .object([:]))
        object.setDefault("source", .object([:]))
        for key in ["firstTimestamp", "lastTimestamp", "eventTime"] where object[key] == nil {
            object[key] = .null
        }
        object.setDefault("reportingComponent", "")
        object.setDefault("reportingInstance", "")
    }

    public func validate(_ object: JSON) -> [FieldError] { Self.legacyValidate(object, reportingControllerField: "reportingComponent") }

    /// legacyValidateEvent, which every Event passes whatever version wrote it; the reporting
    /// controller's field is named as the request's version names it (`reportingComponent` in core/v1).
    static func legacyValidate(_ object: JSON, reportingControllerField: String) -> [FieldError] {
        var errs: [FieldError] = []
        let namespace = object[path: "metadata", "namespace"]?.stringValue ?? ""
        let involvedNamespace = object[path: "involvedObject", "namespace"]?.stringValue ?? ""
        let involvedPath = FieldPath("involvedObject.namespace")
        let eventTime = object["eventTime"] ?? .null
        if eventTime == .null || eventTime.stringValue == "" {
            if involvedNamespace.isEmpty {
                if !namespace.isEmpty && namespace != "default" {
                    errs.append(.invalid(involvedPath, involvedNamespace, "does not match event.namespace"))
                }
            } else if namespace != involvedNamespace {
                errs.append(.invalid(involvedPath, involvedNamespace, "does not match event.namespace"))
            }
        } else {
            if involvedNamespace.isEmpty && namespace != "default" && namespace != "kube-system" {
                errs.append(.invalid(involvedPath, involvedNamespace, "does not match event.namespace"))
            }
            let controller = object.string("reportingComponent")
            if controller.isEmpty { errs.append(.required(FieldPath(reportingControllerField), "")) }
            errs += NameValidation.isQualifiedName(controller).map { .invalid(FieldPath(reportingControllerField), controller, $0) }
            errs += required("reportingInstance", object, limit: 128)
            errs += required("action", object, limit: 128)
            errs += required("reason", object, limit: 128)
            if object.string("message").utf8.count > 1024 {
                errs.append(.invalid(FieldPath("message"), "", "can have at most 1024 characters"))
            }
        }
        errs += NameValidation.isDNS1123Subdomain(namespace).map { .invalid(FieldPath("namespace"), namespace, $0) }
        return errs
    }

    private static func required(_ key: String, _ object: JSON, limit: Int) -> [FieldError] {
        let value = object.string(key)
        if value.isEmpty { return [.required(FieldPath(key), "")] }
        if value.utf8.count > limit { return [.invalid(FieldPath(key), "", "can have at most \(limit) characters")] }
        return []
    }
}
