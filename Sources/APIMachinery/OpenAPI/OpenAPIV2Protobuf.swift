/// The `/openapi/v2` document as gnostic's `openapi.v2.Document` protobuf message, the form
/// client-go's `DiscoveryClient.OpenAPISchema` asks for (`Accept:
/// application/com.github.proto-openapi.spec.v2@v1.0+protobuf`) and the only one kubectl and Helm 3
/// can read. Field numbers are gnostic's OpenAPIv2.proto. Values gnostic keeps as `Any` (defaults,
/// enum members, vendor extensions) carry their YAML text; JSON is YAML, so that text is the
/// value's compact JSON, which is what client-go's readers unmarshal.
public enum OpenAPIV2Protobuf {
    public static func encode(_ document: JSON) -> [UInt8] {
        var out = ProtobufWriter()
        if let swagger = document[path: "swagger"]?.stringValue { out.string(1, swagger) }
        if let info = document[path: "info"]?.objectValue {
            var message = ProtobufWriter()
            if let title = info["title"]?.stringValue { message.string(1, title) }
            if let version = info["version"]?.stringValue { message.string(2, version) }
            out.message(2, message)
        }
        if let paths = document[path: "paths"]?.objectValue {
            var message = ProtobufWriter()
            for (path, item) in paths { message.message(2, named(path, pathItem(item))) }
            out.message(8, message)
        }
        if let definitions = document[path: "definitions"]?.objectValue {
            var message = ProtobufWriter()
            for (name, definition) in definitions { message.message(1, named(name, schema(definition))) }
            out.message(9, message)
        }
        for requirement in document[path: "security"]?.arrayValue ?? [] {
            var message = ProtobufWriter()
            for (name, scopes) in requirement.objectValue ?? [:] {
                var array = ProtobufWriter()
                for scope in scopes.arrayValue ?? [] { if let s = scope.stringValue { array.string(1, s) } }
                message.message(1, named(name, array))
            }
            out.message(12, message)
        }
        if let definitions = document[path: "securityDefinitions"]?.objectValue {
            var message = ProtobufWriter()
            for (name, definition) in definitions where definition[path: "type"]?.stringValue == "apiKey" {
                var apiKey = ProtobufWriter()
                strings(definition, [("type", 1), ("name", 2), ("in", 3), ("description", 4)], into: &apiKey)
                var item = ProtobufWriter()
                item.message(2, apiKey)
                message.message(1, named(name, item))
            }
            out.message(13, message)
        }
        return out.bytes
    }

    /// gnostic's `Named...` pair: name 1, value 2.
    static func named(_ name: String, _ value: ProtobufWriter) -> ProtobufWriter {
        var pair = ProtobufWriter()
        pair.string(1, name)
        pair.message(2, value)
        return pair
    }

    static func strings(_ object: JSON, _ fields: [(String, Int)], into message: inout ProtobufWriter) {
        for (key, number) in fields {
            if let value = object[path: key]?.stringValue, !value.isEmpty { message.string(number, value) }
        }
    }

    /// `openapi.v2.Any`: the value's text in field 2 (`yaml`).
    static func any(_ value: JSON) -> ProtobufWriter {
        var message = ProtobufWriter()
        message.string(2, JSONWriter.encodeString(value))
        return message
    }

    static func vendorExtensions(_ object: JSONObject, field: Int, into message: inout ProtobufWriter) {
        for (key, value) in object where key.hasPrefix("x-") {
            message.message(field, named(key, any(value)))
        }
    }

    static func pathItem(_ item: JSON) -> ProtobufWriter {
        var message = ProtobufWriter()
        let object = item.objectValue ?? [:]
        for (method, number) in [("get", 2), ("put", 3), ("post", 4), ("delete", 5), ("options", 6), ("head", 7), ("patch", 8)] {
            if let operation = object[method] { message.message(number, self.operation(operation)) }
        }
        for parameter in object["parameters"]?.arrayValue ?? [] { message.message(9, parametersItem(parameter)) }
        vendorExtensions(object, field: 10, into: &message)
        return message
    }

    static func operation(_ operation: JSON) -> ProtobufWriter {
        var message = ProtobufWriter()
        let object = operation.objectValue ?? [:]
        for tag in object["tags"]?.arrayValue ?? [] { if let t = tag.stringValue { message.string(1, t) } }
        strings(operation, [("summary", 2), ("description", 3), ("operationId", 5)], into: &message)
        for type in object["produces"]?.arrayValue ?? [] { if let t = type.stringValue { message.string(6, t) } }
        for type in object["consumes"]?.arrayValue ?? [] { if let t = type.stringValue { message.string(7, t) } }
        for parameter in object["parameters"]?.arrayValue ?? [] { message.message(8, parametersItem(parameter)) }
        if let responses = object["responses"]?.objectValue {
            var codes = ProtobufWriter()
            for (code, response) in responses {
                var value = ProtobufWriter()
                value.message(1, self.response(response))
                codes.message(1, named(code, value))
            }
            message.message(9, codes)
        }
        for scheme in object["schemes"]?.arrayValue ?? [] { if let s = scheme.stringValue { message.string(10, s) } }
        if object["deprecated"]?.boolValue == true { message.bool(11, true) }
        vendorExtensions(object, field: 13, into: &message)
        return message
    }

    static func response(_ response: JSON) -> ProtobufWriter {
        var message = ProtobufWriter()
        strings(response, [("description", 1)], into: &message)
        if let schema = response[path: "schema"] {
            var item = ProtobufWriter()
            item.message(1, self.schema(schema))
            message.message(2, item)
        }
        return message
    }

    /// `ParametersItem { Parameter parameter = 1 }`, the parameter a body (`BodyParameter`) or one
    /// of `NonBodyParameter`'s sub-schemas by where it goes.
    static func parametersItem(_ parameter: JSON) -> ProtobufWriter {
        var inner = ProtobufWriter()
        let location = parameter[path: "in"]?.stringValue ?? ""
        if location == "body" {
            var body = ProtobufWriter()
            strings(parameter, [("description", 1), ("name", 2), ("in", 3)], into: &body)
            if parameter[path: "required"]?.boolValue == true { body.bool(4, true) }
            if let schema = parameter[path: "schema"] { body.message(5, self.schema(schema)) }
            vendorExtensions(parameter.objectValue ?? [:], field: 6, into: &body)
            inner.message(1, body)
        } else {
            // Query and form-data sub-schemas have `allowEmptyValue` at 5, so their later fields sit one further on.
            let (choice, shift) = switch location {
            case "header": (1, 0)
            case "formData": (2, 1)
            case "query": (3, 1)
            default: (4, 0)  // path
            }
            var sub = ProtobufWriter()
            if parameter[path: "required"]?.boolValue == true { sub.bool(1, true) }
            strings(parameter, [("in", 2), ("description", 3), ("name", 4)], into: &sub)
            if parameter[path: "allowEmptyValue"]?.boolValue == true, shift == 1 { sub.bool(5, true) }
            strings(parameter, [("type", 5 + shift), ("format", 6 + shift), ("collectionFormat", 8 + shift),
                                ("pattern", 16 + shift)], into: &sub)
            if let value = parameter[path: "default"] { sub.message(9 + shift, any(value)) }
            if parameter[path: "uniqueItems"]?.boolValue == true { sub.bool(19 + shift, true) }
            for value in parameter[path: "enum"]?.arrayValue ?? [] { sub.message(20 + shift, any(value)) }
            vendorExtensions(parameter.objectValue ?? [:], field: 22 + shift, into: &sub)
            var nonBody = ProtobufWriter()
            nonBody.message(choice, sub)
            inner.message(2, nonBody)
        }
        var item = ProtobufWriter()
        item.message(1, inner)
        return item
    }

    static func schema(_ schema: JSON) -> ProtobufWriter {
        var message = ProtobufWriter()
        guard let object = schema.objectValue else { return message }
        strings(schema, [("$ref", 1), ("format", 2), ("title", 3), ("description", 4)], into: &message)
        if let value = object["default"] { message.message(5, any(value)) }
        for (key, field) in [("multipleOf", 6), ("maximum", 7)] {
            if let value = number(object[key]) { message.double(field, value) }
        }
        if object["exclusiveMaximum"]?.boolValue == true { message.bool(8, true) }
        if let value = number(object["minimum"]) { message.double(9, value) }
        if object["exclusiveMinimum"]?.boolValue == true { message.bool(10, true) }
        for (key, field) in [("maxLength", 11), ("minLength", 12)] {
            if let value = integer(object[key]) { message.int64(field, value) }
        }
        strings(schema, [("pattern", 13)], into: &message)
        for (key, field) in [("maxItems", 14), ("minItems", 15)] {
            if let value = integer(object[key]) { message.int64(field, value) }
        }
        if object["uniqueItems"]?.boolValue == true { message.bool(16, true) }
        for (key, field) in [("maxProperties", 17), ("minProperties", 18)] {
            if let value = integer(object[key]) { message.int64(field, value) }
        }
        for name in object["required"]?.arrayValue ?? [] { if let n = name.stringValue { message.string(19, n) } }
        for value in object["enum"]?.arrayValue ?? [] { message.message(20, any(value)) }
        if let additional = object["additionalProperties"] {
            var item = ProtobufWriter()
            if let allowed = additional.boolValue { item.bool(2, allowed) } else { item.message(1, self.schema(additional)) }
            message.message(21, item)
        }
        if let type = object["type"] {
            var item = ProtobufWriter()
            for name in type.arrayValue ?? [type] { if let n = name.stringValue { item.string(1, n) } }
            message.message(22, item)
        }
        if let items = object["items"] {
            var item = ProtobufWriter()
            for each in items.arrayValue ?? [items] { item.message(1, self.schema(each)) }
            message.message(23, item)
        }
        for each in object["allOf"]?.arrayValue ?? [] { message.message(24, self.schema(each)) }
        if let properties = object["properties"]?.objectValue {
            var item = ProtobufWriter()
            for (name, property) in properties { item.message(1, named(name, self.schema(property))) }
            message.message(25, item)
        }
        strings(schema, [("discriminator", 26)], into: &message)
        if object["readOnly"]?.boolValue == true { message.bool(27, true) }
        if let value = object["example"] { message.message(30, any(value)) }
        vendorExtensions(object, field: 31, into: &message)
        return message
    }

    static func number(_ value: JSON?) -> Double? {
        switch value {
        case .int(let n)?: Double(n)
        case .double(let d)?: d
        default: nil
        }
    }

    static func integer(_ value: JSON?) -> Int64? {
        switch value {
        case .int(let n)?: n
        case .double(let d)? where d == d.rounded(): Int64(exactly: d)
        default: nil
        }
    }
}
