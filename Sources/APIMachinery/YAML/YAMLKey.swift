/// A mapping key as sigs.k8s.io/yaml turns it into a JSON member name: strings as they are, integers
/// in decimal, floats in shortest form, booleans as `true`/`false`. `kind` keeps go-yaml's view of
/// identity (the int key 1 and the string key "1" are different keys there).
struct YAMLKey {
    var string: String
    var kind: String
    /// The key as Go's %#v prints it in strict-mode errors: `"replicas"`, `1`, `true`.
    var goSyntax: String
    var isMerge = false

    init(scalar: YAMLScalar, isMerge: Bool, line: Int) throws(APIError) {
        self.isMerge = isMerge
        switch scalar {
        case .string(let s): string = s; kind = "string"; goSyntax = FieldError.quote(s)
        case .int(let i): string = String(i); kind = "int"; goSyntax = string
        case .uint(let u): string = String(u); kind = "uint"; goSyntax = "0x" + String(u, radix: 16)
        case .float(let f):
            string = YAMLFloatFormat.shortestG(f, float32: true); kind = "float"; goSyntax = YAMLFloatFormat.shortestG(f, float32: false)
            switch string { case "+Inf": string = ".inf"; case "-Inf": string = "-.inf"; case "NaN": string = ".nan"; default: break }
        case .bool(let b): string = b ? "true" : "false"; kind = "bool"; goSyntax = string
        case .null:
            throw YAMLErrors.message("line \(line): unsupported map key of type: %!s(<nil>), key: <nil>", prefixed: false)
        }
    }

    init(alias value: JSON, line: Int) throws(APIError) {
        switch value {
        case .string(let s): try self.init(scalar: .string(s), isMerge: false, line: line)
        case .int(let i): try self.init(scalar: .int(i), isMerge: false, line: line)
        case .double(let d): try self.init(scalar: .float(d), isMerge: false, line: line)
        case .bool(let b): try self.init(scalar: .bool(b), isMerge: false, line: line)
        case .null: try self.init(scalar: .null, isMerge: false, line: line)
        case .array, .object: throw YAMLErrors.message("line \(line): invalid map key: a mapping or sequence cannot be a key")
        }
    }

}
