/// The Status errors kube-apiserver answers for failed patches
/// (k8s.io/apiserver/pkg/endpoints/handlers/patch.go).
extension APIError {
    /// A patch that applied but failed: upstream wraps the library's error in
    /// `NewGenericServerResponse(422, ...)` with isUnexpectedResponse=false, which keeps only the
    /// generic message and drops the library's text (`kubectl` shows "The request is invalid: the
    /// server rejected our request due to an error in our request").
    public static let patchRejected = APIError(
        code: 422, reason: "Invalid",
        message: "the server rejected our request due to an error in our request",
        details: Details())

    /// More than `JSONPatch.maxOperations` operations: `NewRequestEntityTooLargeError`.
    public static func tooManyPatchOperations(_ count: Int) -> APIError {
        APIError(code: 413, reason: "RequestEntityTooLarge",
                 message: "Request entity too large: The allowed maximum operations in a JSON patch is \(JSONPatch.maxOperations), got \(count)")
    }

    /// A strategic merge patch the library refuses for a reason upstream's handler does not classify
    /// (a list item without its merge key, an unknown `$patch`, a directive of the wrong type):
    /// kube-apiserver 1.32 passes the plain Go error through and answers 500 with an empty reason.
    /// The patch is the client's mistake, so Kubelite answers 400 BadRequest with the library's
    /// exact text: a 500 would send clients into retries and reads as a server fault.
    static func patchUnclassified(_ message: String) -> APIError {
        .badRequest(message)
    }
}

/// Failures inside strategic merge patch, classified the way the handler's
/// `interpretStrategicMergePatchError` turns them into Status codes.
struct StrategicMergePatchFailure: Error {
    enum Class { case badRequest, unprocessable, unclassified }
    var kind: Class
    var message: String

    // k8s.io/apimachinery/pkg/util/mergepatch/errors.go sentinels.
    static let badJSONDoc = Self(kind: .badRequest, message: "invalid JSON document")
    static let noListOfLists = Self(kind: .unprocessable, message: "lists of lists are not supported")
    static let badPrimitiveListFormat = Self(kind: .badRequest, message: "invalid patch format of primitive list")
    static let badRetainKeysFormat = Self(kind: .badRequest, message: "invalid patch format of retainKeys")
    static let badSetElementOrderFormat = Self(kind: .badRequest, message: "invalid patch format of setElementOrder list")

    static func other(_ message: String) -> Self { Self(kind: .unclassified, message: message) }

    static func noMergeKey(_ map: JSONObject, _ key: String) -> Self {
        .other("map: \(GoFormat.format(.object(map))) does not contain declared merge key: \(key)")
    }

    static func badArgType(expected: String, _ actual: JSON?) -> Self {
        .other("expected a \(expected), but received a \(GoFormat.typeName(actual))")
    }

    static func badPatchType(_ directive: JSON, _ map: JSONObject) -> Self {
        .other("unknown patch type: \(GoFormat.format(directive, .s)) in map: \(GoFormat.format(.object(map)))")
    }

    var apiError: APIError {
        switch kind {
        case .badRequest: return .badRequest(message)
        case .unprocessable: return .patchRejected
        case .unclassified: return .patchUnclassified(message)
        }
    }
}
