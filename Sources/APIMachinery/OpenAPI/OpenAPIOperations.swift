/// The `paths` entries upstream's OpenAPI v3 document has for one resource: collection (list,
/// create, deletecollection), cluster-wide list for namespaced kinds, item (read, replace, patch,
/// delete) and the `status`, `scale` and `finalize` subresources it serves. Each operation carries
/// `operationId`, `x-kubernetes-action`, `x-kubernetes-group-version-kind` and its parameters:
/// kubectl finds the PATCH operation of a kind by GVK and checks it accepts `fieldValidation`.
///
/// Only the media types Kubelite serves are listed (JSON, YAML, and watch streams as JSON), and
/// the deprecated `/watch/` paths are left out.
struct OpenAPIOperations {
    let resource: APIResource
    let groupVersion: OpenAPIGroupVersion

    static let schemaPrefix = "#/components/schemas/"
    static let statusDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
    static let deleteOptionsDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
    static let patchDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
    static let scaleDefinition = "io.k8s.api.autoscaling.v1.Scale"
    static let scaleKind = GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")

    /// Kinds whose DELETE answers the deleted object rather than a Status.
    static let deleteReturnsObject: Set<String> = ["Pod", "Service", "PersistentVolumeClaim", "PersistentVolume"]

    static let objectMediaTypes = ["application/json", "application/yaml"]
    static let listMediaTypes = ["application/json", "application/json;stream=watch", "application/yaml"]
    static let patchMediaTypes = ["application/apply-patch+yaml", "application/json-patch+json",
                                  "application/merge-patch+json", "application/strategic-merge-patch+json"]

    /// Path → path item for this resource.
    var paths: [(String, JSON)] {
        let r = resource
        let kindInfix = (r.namespaced ? "Namespaced" : "") + r.kind
        let collection = groupVersion.urlPrefix + (r.namespaced ? "/namespaces/{namespace}/" : "/") + r.plural
        let item = collection + "/{name}"
        let scope: [JSON] = r.namespaced ? [Self.pathParameter("namespace")] : []
        var out: [(String, JSON)] = []

        var collectionItem: JSONObject = ["parameters": .array(scope + [Self.query("pretty", "string")])]
        if r.verbs.contains("list") {
            collectionItem["get"] = operation("list", "list", "list or watch objects of kind \(r.kind)", kindInfix,
                                              parameters: Self.listParameters, responses: ["200": listResponse])
        }
        if r.verbs.contains("create") {
            collectionItem["post"] = operation("create", "post", "create \(Self.article(r.kind)) \(r.kind)", kindInfix,
                                               parameters: Self.writeParameters, body: Self.body(r.definition),
                                               responses: ["200": objectResponse("OK"), "201": objectResponse("Created"),
                                                           "202": objectResponse("Accepted")])
        }
        if r.verbs.contains("deletecollection") {
            collectionItem["delete"] = operation("delete", "deletecollection", "delete collection of \(r.kind)",
                                                 "Collection" + kindInfix, parameters: Self.deleteCollectionParameters,
                                                 body: Self.body(Self.deleteOptionsDefinition, required: false),
                                                 responses: ["200": Self.response(Self.statusDefinition, "OK")])
        }
        out.append((collection, .object(collectionItem)))

        if r.namespaced, r.verbs.contains("list") {
            var all: JSONObject = ["parameters": .array(Self.sortedByName(Self.listParameters + [Self.query("pretty", "string")]))]
            all["get"] = operation("list", "list", "list or watch objects of kind \(r.kind)", r.kind + "ForAllNamespaces",
                                   parameters: [], responses: ["200": listResponse])
            out.append((groupVersion.urlPrefix + "/" + r.plural, .object(all)))
        }

        var itemPath: JSONObject = ["parameters": .array([Self.pathParameter("name")] + scope + [Self.query("pretty", "string")])]
        if r.verbs.contains("get") {
            itemPath["get"] = operation("read", "get", "read the specified \(r.kind)", kindInfix, parameters: [],
                                        responses: ["200": objectResponse("OK")])
        }
        if r.verbs.contains("update") {
            itemPath["put"] = replace(kindInfix, "the specified \(r.kind)", definition: r.definition, gvk: r.gvk)
        }
        if r.verbs.contains("patch") {
            itemPath["patch"] = patch(kindInfix, "the specified \(r.kind)", definition: r.definition, gvk: r.gvk)
        }
        if r.verbs.contains("delete") {
            let returned = Self.deleteReturnsObject.contains(r.kind) ? r.definition : Self.statusDefinition
            itemPath["delete"] = operation("delete", "delete", "delete \(Self.article(r.kind)) \(r.kind)", kindInfix,
                                           parameters: Self.deleteParameters,
                                           body: Self.body(Self.deleteOptionsDefinition, required: false),
                                           responses: ["200": Self.response(returned, "OK"), "202": Self.response(returned, "Accepted")])
        }
        // Create-only kinds (the reviews) have no item path, as upstream's documents show them.
        if itemPath.count > 1 || !r.subresources.isEmpty { out.append((item, .object(itemPath))) }

        for subresource in r.subresources {
            let subPath = item + "/" + subresource
            let parameters: JSON = .array([Self.pathParameter("name")] + scope + [Self.query("pretty", "string")])
            let infix = kindInfix + OpenAPIGroupVersion.capitalized(subresource)
            switch subresource {
            case "status":
                out.append((subPath, .object([
                    "parameters": parameters,
                    "get": operation("read", "get", "read status of the specified \(r.kind)", infix, parameters: [],
                                     responses: ["200": objectResponse("OK")]),
                    "put": replace(infix, "status of the specified \(r.kind)", definition: r.definition, gvk: r.gvk),
                    "patch": patch(infix, "status of the specified \(r.kind)", definition: r.definition, gvk: r.gvk),
                ])))
            case "scale":
                out.append((subPath, .object([
                    "parameters": parameters,
                    "get": operation("read", "get", "read scale of the specified \(r.kind)", infix, parameters: [],
                                     responses: ["200": Self.response(Self.scaleDefinition, "OK")], gvk: Self.scaleKind),
                    "put": replace(infix, "scale of the specified \(r.kind)", definition: Self.scaleDefinition, gvk: Self.scaleKind),
                    "patch": patch(infix, "scale of the specified \(r.kind)", definition: Self.scaleDefinition, gvk: Self.scaleKind),
                ])))
            case "finalize":
                out.append((subPath, .object([
                    "parameters": parameters,
                    "put": replace(infix, "finalize of the specified \(r.kind)", definition: r.definition, gvk: r.gvk),
                ])))
            case "token", "eviction":
                let (definition, gvk) = subresource == "token"
                    ? ("io.k8s.api.authentication.v1.TokenRequest", GroupVersionKind(group: "authentication.k8s.io", version: "v1", kind: "TokenRequest"))
                    : ("io.k8s.api.policy.v1.Eviction", GroupVersionKind(group: "policy", version: "v1", kind: "Eviction"))
                out.append((subPath, .object([
                    "parameters": parameters,
                    "post": operation("create", "post", "create \(subresource) of \(Self.article(r.kind)) \(r.kind)", infix,
                                      parameters: Self.writeParameters, body: Self.body(definition),
                                      responses: ["200": Self.response(definition, "OK"), "201": Self.response(definition, "Created"),
                                                  "202": Self.response(definition, "Accepted")], gvk: gvk),
                ])))
            default:
                continue
            }
        }
        return out
    }

    private var listResponse: JSON { Self.response(resource.listDefinition, "OK", mediaTypes: Self.listMediaTypes) }

    private func objectResponse(_ description: String) -> JSON { Self.response(resource.definition, description) }

    private func replace(_ infix: String, _ what: String, definition: String, gvk: GroupVersionKind) -> JSON {
        operation("replace", "put", "replace \(what)", infix, parameters: Self.writeParameters, body: Self.body(definition),
                  responses: ["200": Self.response(definition, "OK"), "201": Self.response(definition, "Created")], gvk: gvk)
    }

    private func patch(_ infix: String, _ what: String, definition: String, gvk: GroupVersionKind) -> JSON {
        let content = JSONObject(uniqueKeysWithValues: Self.patchMediaTypes.map { ($0, Self.schemaRef(Self.patchDefinition)) })
        return operation("patch", "patch", "partially update \(what)", infix,
                         parameters: Self.writeParameters + [Self.query("force", "boolean")],
                         body: .object(["content": .object(content), "required": true]),
                         responses: ["200": Self.response(definition, "OK"), "201": Self.response(definition, "Created")], gvk: gvk)
    }

    private func operation(_ verb: String, _ action: String, _ description: String, _ infix: String, parameters: [JSON],
                           body: JSON? = nil, responses: JSONObject, gvk: GroupVersionKind? = nil) -> JSON {
        var responses = responses
        responses["401"] = ["description": "Unauthorized"]
        let kind = gvk ?? resource.gvk
        var op: JSONObject = [
            "description": .string(description),
            "operationId": .string(verb + groupVersion.operationInfix + infix),
            "responses": .object(responses),
            "tags": [.string(groupVersion.tag)],
            "x-kubernetes-action": .string(action),
            "x-kubernetes-group-version-kind": ["group": .string(kind.group), "kind": .string(kind.kind), "version": .string(kind.version)],
        ]
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        if let body { op["requestBody"] = body }
        return .object(op)
    }
}
