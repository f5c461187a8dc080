import APIMachinery

/// core/v1 PodTemplates (pkg/registry/core/podtemplate/strategy.go, ValidatePodTemplate): the
/// template gets the pod spec defaults and is validated as a pod's, with any restart policy.
public struct PodTemplateStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.podTemplates }

    public func applyDefaults(_ object: inout JSON) {
        // `template` is a struct in Go: always there, its spec defaulted.
        object.setDefault("template", .object([:]))
        object.modifyPath("template") { PodTemplateDefaults.apply(&$0) }
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let template = object["template"] ?? [:]
        let path = FieldPath("template")
        var errs = ObjectMetaValidation.validateLabels(template[path: "metadata", "labels"], path: path.child("labels"))
        errs += ObjectMetaValidation.validateAnnotations(template[path: "metadata", "annotations"], path: path.child("annotations"))
        errs += PodSpecValidation.validate(template["spec"] ?? [:], path.child("spec"))
        return errs
    }
}
