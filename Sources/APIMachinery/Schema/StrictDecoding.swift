/// Upstream's wording for decode failures of request bodies.
///
/// - sigs.k8s.io/json reports each strict problem as `unknown field "<path>"` or
///   `duplicate field "<path>"` (path like `spec.template.spec.containers[0].imagePullPolcy`),
///   deduplicated and capped at 100.
/// - k8s.io/apimachinery's `runtime.NewStrictDecodingError` joins them:
///   `strict decoding error: unknown field "spec.replcas", unknown field "x"`.
/// - The apiserver's handlers (transformDecodeError) answer 400 BadRequest with
///   `<Kind> in version "<version>" cannot be handled as a <Kind>: <decode error>`, for strict
///   errors under `fieldValidation=Strict` and for type errors whatever the directive.
/// - Under `fieldValidation=Warn` each strict error becomes one Warning header text instead
///   (`unknown field "spec.replcas"`); under `Ignore` they are dropped.
public enum StrictDecoding {
    /// At most this many strict errors are reported, as in sigs.k8s.io/json.
    public static let maxErrors = 100

    public static func unknownField(_ path: String) -> String { "unknown field \(FieldError.quote(path))" }

    public static func duplicateField(_ path: String) -> String { "duplicate field \(FieldError.quote(path))" }

    /// `strict decoding error: <e1>, <e2>`.
    public static func message(_ errors: [String]) -> String {
        "strict decoding error: " + errors.joined(separator: ", ")
    }

    /// The BadRequest message for a body that failed to decode into `kind`.
    public static func cannotBeHandled(_ kind: GroupVersionKind, _ reason: String) -> String {
        "\(kind.kind) in version \(FieldError.quote(kind.version)) cannot be handled as a \(kind.kind): \(reason)"
    }

    /// The 400 BadRequest error upstream answers for `errors` under `fieldValidation=Strict`.
    public static func strictError(_ kind: GroupVersionKind, _ errors: [String]) -> APIError {
        .badRequest(cannotBeHandled(kind, message(errors)))
    }

    /// The 400 BadRequest error for a type error (`json: cannot unmarshal ...`), whatever the directive.
    public static func decodeError(_ kind: GroupVersionKind, _ reason: String) -> APIError {
        .badRequest(cannotBeHandled(kind, reason))
    }

}
