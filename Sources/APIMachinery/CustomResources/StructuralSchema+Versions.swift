extension StructuralSchema {
    /// The structural schemas of every version of a CustomResourceDefinition `spec`, keyed by version
    /// name, with the CRD validation errors of all of them under upstream's paths
    /// (`spec.versions[1].schema.openAPIV3Schema...`). apiextensions.k8s.io/v1 requires a schema per
    /// version; a version whose `subresources.status` is set also gets the status root restriction.
    /// A version with errors has no entry in `schemas`.
    public static func versions(ofCRDSpec spec: JSON) -> (schemas: [String: StructuralSchema], errors: [FieldError]) {
        var schemas: [String: StructuralSchema] = [:]
        var errors: [FieldError] = []
        for (i, version) in (spec["versions"]?.arrayValue ?? []).enumerated() {
            let schemaPath = FieldPath("spec.versions").index(i).child("schema")
            guard let openAPIV3Schema = version[path: "schema", "openAPIV3Schema"], !openAPIV3Schema.isNull else {
                errors.append(.required(schemaPath.child("openAPIV3Schema"), "schemas are required"))
                continue
            }
            var versionErrors: [FieldError] = []
            if let status = version[path: "subresources", "status"], !status.isNull {
                versionErrors += validateRootForStatusSubresource(openAPIV3Schema: openAPIV3Schema, path: schemaPath)
            }
            do {
                let schema = try StructuralSchema(openAPIV3Schema: openAPIV3Schema, path: schemaPath.child("openAPIV3Schema"))
                if versionErrors.isEmpty, let name = version["name"]?.stringValue { schemas[name] = schema }
            } catch {
                versionErrors += error.errors
            }
            errors += versionErrors
        }
        return (schemas, errors)
    }
}
