import Foundation

/// Tagged scalar resolution and the conversion sigs.k8s.io/yaml applies on the way to JSON.
enum YAMLScalarDecoding {
    static let strTag = "tag:yaml.org,2002:str"
    static let binaryTag = "tag:yaml.org,2002:binary"
    static let shortTags = [
        "tag:yaml.org,2002:null": "!!null", "tag:yaml.org,2002:bool": "!!bool", "tag:yaml.org,2002:int": "!!int",
        "tag:yaml.org,2002:float": "!!float", "tag:yaml.org,2002:str": "!!str", "tag:yaml.org,2002:timestamp": "!!timestamp",
        "tag:yaml.org,2002:map": "!!map", "tag:yaml.org,2002:seq": "!!seq", "tag:yaml.org,2002:binary": "!!binary",
    ]

    /// Quoted and block scalars are strings; plain ones resolve as YAML 1.1 says (go-yaml v2). An
    /// explicit tag must agree with what the text resolves to (an int may be read as a float).
    static func resolve(_ text: String, tag: String?, plain: Bool, line: Int) throws(APIError) -> YAMLScalar {
        guard let tag, tag != "!" else { return plain ? YAMLScalar.resolvePlain(text) : .string(text) }
        if tag == strTag { return .string(text) }
        if tag == binaryTag {
            guard let data = Data(base64Encoded: text.filter { !$0.isWhitespace }) else {
                throw YAMLErrors.message("!!binary value contains invalid base64 data")
            }
            return .string(String(decoding: data, as: UTF8.self))
        }
        let resolved = YAMLScalar.resolvePlain(text)
        let wanted = shortTags[tag] ?? tag
        if resolved.shortTag == wanted { return resolved }
        if wanted == "!!float", case .int(let i) = resolved { return .float(Double(i)) }
        throw YAMLErrors.message("cannot decode \(resolved.shortTag) `\(text)` as a \(wanted)")
    }

    /// The JSON value of a scalar after sigs.k8s.io/yaml's json.Marshal and the API's int-preserving
    /// decode: a float with an integral value under 1e21 is written without a fraction and so reads back
    /// as an integer; NaN and infinities cannot be written at all.
    static func json(_ scalar: YAMLScalar) throws(APIError) -> JSON {
        switch scalar {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .uint(let u): return u <= UInt64(Int64.max) ? .int(Int64(u)) : .double(Double(u))
        case .string(let s): return .string(s)
        case .float(let f):
            guard f.isFinite else {
                let text = f.isNaN ? "NaN" : (f > 0 ? "+Inf" : "-Inf")
                throw APIError.badRequest("json: unsupported value: \(text)")
            }
            if f == f.rounded(), abs(f) < 1e21 {
                if abs(f) < 9.2e18 { return .int(Int64(f)) }
                return .double(f)
            }
            return .double(f)
        }
    }
}
