import APIMachinery
import Foundation
import Registry

/// The controllers' in-process writes, audited as kube-apiserver audits the requests their clients
/// send: the same event with the controller's user, User-Agent, verb, objectRef and request URI, at
/// the level the policy gives it. There is no connection, so no `sourceIPs`.
extension AuditLog: InProcessRequestAuditor {
    public func audit(_ request: InProcessRequest, status: Int, response: JSON?, error: APIError?) {
        guard let record = AuditRecord(log: self, inProcess: request, auditID: AuditID.next()) else { return }
        record.emit(.requestReceived, status: nil, body: nil)
        record.emit(.responseComplete, status: status, body: error?.status ?? response)
    }
}

extension AuditRecord {
    /// The record for a controller's in-process request, or nil when the policy does not audit it.
    init?(log: AuditLog, inProcess request: InProcessRequest, auditID: String) {
        let a = request.attributes
        var attributes = AuditPolicy.Attributes(user: a.user, verb: a.verb, isResourceRequest: true, path: request.requestURI)
        (attributes.group, attributes.resource, attributes.subresource) = (a.apiGroup, a.resource, a.subresource)
        (attributes.namespace, attributes.name) = (a.namespace, a.name)
        let decision = log.policy.decide(attributes)
        guard decision.level != .none else { return nil }
        // What the request's path says; a create's name is its body's (a POST to the collection has
        // none), known from the handler on, as for a request over HTTP.
        let createsObject = a.verb == "create" && a.subresource.isEmpty
        var reference: JSONObject = ["resource": .string(a.resource)]
        if !a.namespace.isEmpty { reference["namespace"] = .string(a.namespace) }
        if !a.name.isEmpty, !createsObject { reference["name"] = .string(a.name) }
        if !a.apiGroup.isEmpty { reference["apiGroup"] = .string(a.apiGroup) }
        if !a.apiVersion.isEmpty { reference["apiVersion"] = .string(a.apiVersion) }
        if !a.subresource.isEmpty { reference["subresource"] = .string(a.subresource) }
        let event: JSONObject = [
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": .string(decision.level.rawValue),
            "auditID": .string(auditID), "requestURI": .string(request.requestURI), "verb": .string(a.verb),
            "user": a.user.json, "userAgent": .string(request.userAgent), "objectRef": .object(reference),
        ]
        var handled: JSONObject = [:]
        if a.verb == "create" || a.verb == "update", let body = request.body {
            handled["objectRef"] = .object(Self.completed(reference, from: body))
        }
        if decision.level >= .request, let body = request.body {
            handled["requestObject"] = decision.omitManagedFields ? Self.withoutManagedFields(body) : body
        }
        self.init(log: log, auditID: auditID, decision: decision, received: request.received, event: event, handled: handled)
    }
}
