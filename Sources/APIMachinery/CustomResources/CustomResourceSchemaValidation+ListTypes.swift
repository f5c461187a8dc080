extension CustomResourceSchemaValidation {
    /// The `x-kubernetes-map-type`, `x-kubernetes-list-type` and `x-kubernetes-list-map-keys` rules,
    /// including validateMapListKeysMapSet (map keys required or defaulted, set and map items not nullable).
    mutating func validateMapAndListTypes(_ schema: JSONSchemaProps, _ path: FieldPath) {
        if let mapType = schema.xMapType {
            if schema.type != "object" {
                if schema.type.isEmpty {
                    schemaErrors.append(.required(path.child("type"), "must be object if x-kubernetes-map-type is specified"))
                } else {
                    schemaErrors.append(.invalid(path.child("type"), schema.type, "must be object if x-kubernetes-map-type is specified"))
                }
            }
            if mapType != "atomic" && mapType != "granular" {
                schemaErrors.append(.notSupported(path.child("x-kubernetes-map-type"), .string(mapType), ["atomic", "granular"]))
            }
        }
        if let listType = schema.xListType {
            if schema.type != "array" {
                if schema.type.isEmpty {
                    schemaErrors.append(.required(path.child("type"), "must be array if x-kubernetes-list-type is specified"))
                } else {
                    schemaErrors.append(.invalid(path.child("type"), schema.type, "must be array if x-kubernetes-list-type is specified"))
                }
            } else if listType == "set", let items = schema.items {
                // Set members are compared whole, so they must be atomic themselves.
                if items.type == "array", let inner = items.xListType, inner != "atomic" {
                    schemaErrors.append(.invalid(path.child("items").child("x-kubernetes-list-type"), inner, "must be atomic as item of a list with x-kubernetes-list-type=set"))
                } else if items.type == "object", items.xMapType != "atomic" {
                    schemaErrors.append(.invalid(path.child("items").child("x-kubernetes-map-type"), items.xListType.map(JSON.string) ?? .null, "must be atomic as item of a list with x-kubernetes-list-type=set"))
                }
            }
            if listType != "atomic" && listType != "set" && listType != "map" {
                schemaErrors.append(.notSupported(path.child("x-kubernetes-list-type"), .string(listType), ["atomic", "set", "map"]))
            }
        }
        if !schema.xListMapKeys.isEmpty {
            if schema.xListType == nil {
                schemaErrors.append(.required(path.child("x-kubernetes-list-type"), "must be map if x-kubernetes-list-map-keys is non-empty"))
            } else if schema.xListType != "map" {
                schemaErrors.append(.invalid(path.child("x-kubernetes-list-type"), schema.xListType!, "must be map if x-kubernetes-list-map-keys is non-empty"))
            }
        }
        // Upstream prints the []string with %#v.
        let keysValue = "[]string{" + schema.xListMapKeys.map(FieldError.quote).joined(separator: ", ") + "}"
        if schema.xListType == "map" {
            if schema.xListMapKeys.isEmpty {
                schemaErrors.append(.required(path.child("x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is map"))
            }
            if let items = schema.items {
                if schema.itemsIsArray {
                    schemaErrors.append(.invalid(path.child("items"), schema.raw["items"], "must only have a single schema if x-kubernetes-list-type is map"))
                }
                if items.type != "object" {
                    schemaErrors.append(.invalid(path.child("items").child("type"), items.type, "must be object if parent array's x-kubernetes-list-type is map"))
                } else {
                    var seen: Set<String> = []
                    for key in schema.xListMapKeys {
                        if let property = items.properties[key] {
                            if property.type == "array" || property.type == "object" {
                                schemaErrors.append(.invalid(path.child("items").child("properties").key(key).child("type"), items.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"))
                            }
                        } else {
                            schemaErrors.append(FieldError(.invalid, path.child("x-kubernetes-list-map-keys"), value: keysValue, "entries must all be names of item properties"))
                        }
                        if !seen.insert(key).inserted {
                            schemaErrors.append(FieldError(.invalid, path.child("x-kubernetes-list-map-keys"), value: keysValue, "must not contain duplicate entries"))
                        }
                    }
                }
            } else {
                schemaErrors.append(.required(path.child("items"), "must have a schema if x-kubernetes-list-type is map"))
            }
        }
        guard let items = schema.items, let listType = schema.xListType, listType == "set" || listType == "map" else { return }
        if items.nullable {
            schemaErrors.append(.forbidden(path.child("items").child("nullable"), "cannot be nullable when x-kubernetes-list-type is \(listType)"))
        }
        if listType == "map" {
            for key in schema.xListMapKeys {
                guard let property = items.properties[key] else { continue }
                if !items.required.contains(key), property.defaultValue == nil {
                    schemaErrors.append(.required(path.child("items").child("properties").key(key).child("default"), "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"))
                }
                if property.nullable {
                    schemaErrors.append(.forbidden(path.child("items").child("properties").key(key).child("nullable"), "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"))
                }
            }
        }
    }
}
