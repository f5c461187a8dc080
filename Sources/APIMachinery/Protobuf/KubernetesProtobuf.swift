/// Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), as
/// client-go's typed clients send them (kubectl's `create configmap|secret|namespace|service`).
///
/// A body is the 4-byte magic `k8s\0` followed by a `runtime.Unknown` message: {1 typeMeta
/// {1 apiVersion, 2 kind}, 2 raw (the object's own message), 3 contentEncoding, 4 contentType}.
/// The object is decoded into the same `JSON` a JSON body would have produced (see
/// `ProtobufMessageDecoder`), so structural decoding, defaults and validation run unchanged.
public enum KubernetesProtobuf {
    public static let mediaType = "application/vnd.kubernetes.protobuf"
    /// The magic prefix, `k8s\0`.
    public static let prefix: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// Decodes a protobuf request body into the JSON object it stands for, `kind` and
    /// `apiVersion` first as Go's JSON encoder writes them.
    ///
    /// Every failure is a 400 BadRequest worded as upstream's create/update handlers word decode
    /// errors. `expectedKind` is the endpoint's kind, used only in the "unrecognized" message.
    public static func decode(_ body: [UInt8], expectedKind: String? = nil) throws(APIError) -> JSON {
        let envelope: Envelope
        do {
            envelope = try Envelope(body)
        } catch {
            throw unrecognized(error.message, body: body, expectedKind: expectedKind)
        }
        let (apiVersion, kind) = (envelope.apiVersion, envelope.kind)
        let typeMeta = "runtime.TypeMeta{APIVersion:\(FieldError.quote(apiVersion)), Kind:\(FieldError.quote(kind))}"
        guard !kind.isEmpty else {
            throw unrecognized("Object 'Kind' is missing in '\(typeMeta)'", body: body, expectedKind: expectedKind)
        }
        let groupVersion = apiVersion.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let group = groupVersion.count == 2 ? String(groupVersion[0]) : ""
        let version = String(groupVersion.last ?? "")
        guard !version.isEmpty else {
            throw unrecognized("Object 'apiVersion' is missing in '\(typeMeta)'", body: body, expectedKind: expectedKind)
        }
        let target = expectedKind ?? kind
        guard let definition = SchemaSet.upstream.kinds[GroupVersionKind(group: group, version: version, kind: kind)] else {
            throw APIError.badRequest("\(kind) in version \(FieldError.quote(version)) cannot be handled as a \(target): "
                + "no kind \(FieldError.quote(kind)) is registered for version \(FieldError.quote(apiVersion)) in scheme \"pkg/api/legacyscheme/scheme.go:30\"")
        }
        var decoder = ProtobufMessageDecoder(layouts: ProtobufLayouts.upstream, bytes: body)
        do {
            var object: JSONObject = ["kind": .string(kind), "apiVersion": .string(apiVersion)]
            for (key, value) in try decoder.object(definition, envelope.raw.map { [$0] } ?? []) where object[key] == nil {
                object[key] = value
            }
            return .object(object)
        } catch {
            throw APIError.badRequest("\(kind) in version \(FieldError.quote(version)) cannot be handled as a \(target): \(error.message)")
        }
    }

    /// upstream's transformDecodeError when no kind could be read: the error and a hex summary
    /// of the body's first 30 bytes.
    private static func unrecognized(_ message: String, body: [UInt8], expectedKind: String?) -> APIError {
        let hex = body.prefix(30).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
        let summary = body.isEmpty ? "<empty>" : body.count > 30 ? hex + " ..." : hex
        let type = expectedKind.map { " (must be of type \($0))" } ?? ""
        return APIError.badRequest("the object provided is unrecognized\(type): \(message) (\(summary))")
    }


    /// The `runtime.Unknown` wrapper.
    struct Envelope {
        var apiVersion = ""
        var kind = ""
        /// The object's message within the body; nil when absent (an empty object).
        var raw: Range<Int>?

        init(_ body: [UInt8]) throws(ProtobufDecodingError) {
            guard !body.isEmpty else { throw ProtobufDecodingError(message: "empty data") }
            guard body.starts(with: KubernetesProtobuf.prefix) else {
                let prefix = KubernetesProtobuf.prefix.map(String.init).joined(separator: " ")
                throw ProtobufDecodingError(message: "provided data does not appear to be a protobuf message, expected prefix [\(prefix)]")
            }
            guard body.count > KubernetesProtobuf.prefix.count else { throw ProtobufDecodingError(message: "empty body") }
            var reader = ProtobufWireReader(body, KubernetesProtobuf.prefix.count..<body.count)
            while !reader.isAtEnd {
                let (number, wireType) = try reader.key(in: "Unknown")
                switch number {
                case 1:
                    try Self.expectLengthDelimited(wireType, "TypeMeta")
                    try readTypeMeta(body, reader.lengthDelimited())
                case 2:
                    try Self.expectLengthDelimited(wireType, "Raw")
                    raw = try reader.lengthDelimited()
                case 3, 4:
                    try Self.expectLengthDelimited(wireType, number == 3 ? "ContentEncoding" : "ContentType")
                    _ = try reader.lengthDelimited()
                default:
                    try reader.skip(wireType: wireType)
                }
            }
        }

        /// TypeMeta fields merge across repeated occurrences, as Go's Unmarshal merges them.
        private mutating func readTypeMeta(_ body: [UInt8], _ range: Range<Int>) throws(ProtobufDecodingError) {
            var reader = ProtobufWireReader(body, range)
            while !reader.isAtEnd {
                let (number, wireType) = try reader.key(in: "TypeMeta")
                guard number == 1 || number == 2 else {
                    try reader.skip(wireType: wireType)
                    continue
                }
                try Self.expectLengthDelimited(wireType, number == 1 ? "APIVersion" : "Kind")
                let text = String(decoding: body[try reader.lengthDelimited()], as: UTF8.self)
                if number == 1 { apiVersion = text } else { kind = text }
            }
        }

        private static func expectLengthDelimited(_ wireType: Int, _ field: String) throws(ProtobufDecodingError) {
            guard wireType == ProtobufWireType.lengthDelimited.rawValue else { throw .wrongWireType(wireType, field: field) }
        }
    }
}
