import APIMachinery
import HTTPServer
import Registry
import Storage

extension ResourceHandler {
    func watch(_ store: ResourceStore, namespace: String?) throws(APIError) -> HTTPResponse {
        throw APIError(code: 405, reason: "MethodNotAllowed", message: "watch is not served by this version of kubelite")
    }
}
