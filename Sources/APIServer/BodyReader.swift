import APIMachinery
import HTTPServer
import Registry

/// Parses request bodies by Content-Type: JSON, YAML and Kubernetes protobuf objects, and the patch
/// formats for PATCH.
enum BodyReader {
    static let acceptedObjectTypes = ["application/json", "application/yaml", KubernetesProtobuf.mediaType]
    static let acceptedPatchTypes = [PatchType.json.rawValue, PatchType.merge.rawValue, PatchType.apply.rawValue, PatchType.strategic.rawValue]

    static func read(_ request: HTTPRequest, patch: Bool) throws(APIError) -> (body: RequestBody, patchType: PatchType?) {
        let header = request.header("content-type") ?? ""
        let media = MediaType(parsing: Substring(header))
        let essence = media?.essence ?? (header.isEmpty ? "application/json" : header)
        if patch {
            guard let type = PatchType(rawValue: essence) else {
                throw APIError.unsupportedMediaType(header, accepted: acceptedPatchTypes)
            }
            if type == .apply {
                return (try yaml(request.body), type)
            }
            return (try json(request.body, patchError: true), type)
        }
        switch essence {
        case "application/json": return (try json(request.body, patchError: false), nil)
        case "application/yaml": return (try yaml(request.body), nil)
        case KubernetesProtobuf.mediaType: return (RequestBody(value: try KubernetesProtobuf.decode(request.body), raw: request.body), nil)
        default: throw APIError.unsupportedMediaType(header, accepted: acceptedObjectTypes)
        }
    }

    static func json(_ bytes: [UInt8], patchError: Bool) throws(APIError) -> RequestBody {
        do {
            let parsed = try JSONParser.parse(bytes)
            return RequestBody(value: parsed.value, duplicateFields: parsed.duplicateFields, raw: bytes)
        } catch {
            if patchError { throw APIError.badRequest("error decoding patch: \(error.message)") }
            throw APIError.badRequest("couldn't get version/kind; json parse error: \(error.message)")
        }
    }

    static func yaml(_ bytes: [UInt8]) throws(APIError) -> RequestBody {
        let decoded = try YAMLCodec.decode(bytes)
        return RequestBody(value: decoded.value, duplicateFields: decoded.duplicateFields, raw: bytes)
    }
}
