import APIMachinery
import Foundation
import Synchronization

/// A write a controller makes in-process as its own user: the request it would have sent to
/// kube-apiserver over HTTP, for the audit log to record as it records that request.
public struct InProcessRequest: Sendable {
    /// Who, which verb, which resource, subresource, namespace and name (the name of a created
    /// object is its body's, as upstream's audit fills `objectRef.name` from the request object).
    public var attributes: AuthorizationAttributes
    /// The client's User-Agent (`kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/kubelite/statefulset-controller`).
    public var userAgent: String
    /// The body sent: the object of a create or update, the patch of a patch; nil for a delete.
    public var body: JSON?
    public var received: Date

    public init(attributes: AuthorizationAttributes, userAgent: String, body: JSON?, received: Date) {
        self.attributes = attributes; self.userAgent = userAgent; self.body = body; self.received = received
    }

    /// The path the request would have had: `/api/v1/namespaces/ns/pods/web-0/binding`,
    /// `/apis/apps/v1/namespaces/ns/statefulsets/web/status`, `/api/v1/namespaces/ns/pods` for a create.
    public var requestURI: String {
        let a = attributes
        var path = a.apiGroup.isEmpty ? "/api/\(a.apiVersion)" : "/apis/\(a.apiGroup)/\(a.apiVersion)"
        if !a.namespace.isEmpty { path += "/namespaces/\(a.namespace)" }
        path += "/\(a.resource)"
        if !a.name.isEmpty, a.verb != "create" || !a.subresource.isEmpty { path += "/\(a.name)" }
        if !a.subresource.isEmpty { path += "/\(a.subresource)" }
        return path
    }
}

/// Records the in-process requests of controllers (the audit log); installed once at start-up.
public protocol InProcessRequestAuditor: Sendable {
    /// Called once the request is answered: `status` is the HTTP code it would have had, `response`
    /// the object answered, or the Status of `error`.
    func audit(_ request: InProcessRequest, status: Int, response: JSON?, error: APIError?)
}

final class InProcessAuditorSlot: Sendable {
    private let auditor = Mutex<(any InProcessRequestAuditor)?>(nil)
    func set(_ value: any InProcessRequestAuditor) { auditor.withLock { $0 = value } }
    func get() -> (any InProcessRequestAuditor)? { auditor.withLock { $0 } }
}

extension Registry {
    /// Has the controllers' in-process writes recorded by `auditor` (the audit log).
    public func auditInProcessRequests(with auditor: any InProcessRequestAuditor) { inProcessAuditorSlot.set(auditor) }

    /// Where the controllers' in-process writes are recorded; nil without an audit log.
    public var inProcessAuditor: (any InProcessRequestAuditor)? { inProcessAuditorSlot.get() }
}
