import APIMachinery
import Foundation
import Logging
import Registry
import Storage

/// One resource as a controller's client sees it (client-go's typed client, built by
/// kube-controller-manager's ClientBuilder for that controller): every write acts as the
/// controller's user. The write is authorized first by the authorizer the API server uses, so a
/// role that lacks the permission gets the API server's 403 (logged here), carries the user to the
/// store (RBAC's escalation checks; the managedFields manager from its User-Agent), and is recorded
/// by the audit log as the HTTP request it stands for. Without a user (`acting` nil) it writes as
/// the server itself, unchecked and unaudited. Reads go straight to the store, as the informers'
/// do: upstream makes them with the manager's shared-informer credentials, which may list and get
/// every resource.
public struct ResourceClient: Sendable {
    public let store: ResourceStore
    let registry: Registry
    /// Who the writes act as; nil: the server.
    public let acting: ControllerUser?
    let logger: Logger

    public init(store: ResourceStore, registry: Registry, acting: ControllerUser?, logger: Logger) {
        self.store = store; self.registry = registry; self.acting = acting; self.logger = logger
    }

    public var resource: APIResource { store.resource }

    public func get(namespace: String?, name: String) throws(APIError) -> StoredObject {
        try store.get(namespace: namespace, name: name)
    }

    public func list(namespace: String?) -> (items: [StoredObject], revision: Int64) {
        store.list(namespace: namespace)
    }

    public func create(namespace: String?, body: RequestBody, options: WriteOptions = WriteOptions()) throws(APIError) -> WriteResult {
        try write("create", namespace: namespace, name: body.value.meta.name, body: body.value, options: options,
                  answer: { $0.object }) { (options) throws(APIError) in
            try store.create(namespace: namespace, body: body, options: options)
        }
    }

    public func update(namespace: String?, name: String, body: RequestBody, options: WriteOptions = WriteOptions()) throws(APIError) -> WriteResult {
        try write("update", namespace: namespace, name: name, body: body.value, options: options,
                  answer: { $0.object }) { (options) throws(APIError) in
            try store.update(namespace: namespace, name: name, body: body, options: options)
        }
    }

    public func patch(namespace: String?, name: String, type: PatchType, patch: RequestBody,
                      options: WriteOptions = WriteOptions()) throws(APIError) -> WriteResult {
        try write("patch", namespace: namespace, name: name, body: patch.value, options: options,
                  answer: { $0.object }) { (options) throws(APIError) in
            try store.patch(namespace: namespace, name: name, type: type, patch: patch, options: options)
        }
    }

    public func delete(namespace: String?, name: String, options: DeleteOptions = DeleteOptions()) throws(APIError) -> DeleteResult {
        try write("delete", namespace: namespace, name: name, body: nil, options: WriteOptions(),
                  answer: Self.object) { (_) throws(APIError) in
            try store.delete(namespace: namespace, name: name, options: options)
        }
    }

    /// PUT on `status`.
    public func updateStatus(namespace: String?, name: String, body: RequestBody,
                             options: WriteOptions = WriteOptions()) throws(APIError) -> WriteResult {
        try write("update", namespace: namespace, name: name, subresource: "status", body: body.value, options: options,
                  answer: { $0.object }) { (options) throws(APIError) in
            try StatusStore(store: store).update(namespace: namespace, name: name, body: body, options: options)
        }
    }

    /// PATCH on `status`.
    public func patchStatus(namespace: String?, name: String, type: PatchType, patch: RequestBody,
                            options: WriteOptions = WriteOptions()) throws(APIError) -> WriteResult {
        try write("patch", namespace: namespace, name: name, subresource: "status", body: patch.value, options: options,
                  answer: { $0.object }) { (options) throws(APIError) in
            try StatusStore(store: store).patch(namespace: namespace, name: name, type: type, patch: patch, options: options)
        }
    }

    /// POST on `pods/binding`: binds the pod to the Binding's target node.
    public func bind(namespace: String?, name: String, binding: JSON, options: WriteOptions = WriteOptions()) throws(APIError) {
        guard let bindings = BindingStore(pods: store) else { throw APIError.methodNotAllowed }
        _ = try write("create", namespace: namespace, name: name, subresource: "binding", body: binding, options: options,
                      answer: { $0 }) { (options) throws(APIError) in
            try bindings.create(namespace: namespace, name: name, binding: binding, options: options)
        }
    }

    static func object(_ result: DeleteResult) -> JSON {
        switch result {
        case .deleted(let object), .marked(let object): return object
        }
    }
}

extension ResourceClient {
    /// The request as the API server would see it: authorized as `acting`, then made with the user
    /// and its User-Agent in the options, then audited with its outcome.
    func write<Result>(_ verb: String, namespace: String?, name: String, subresource: String = "", body: JSON?,
                       options: WriteOptions, answer: (Result) -> JSON,
                       _ perform: (WriteOptions) throws(APIError) -> Result) throws(APIError) -> Result {
        guard let acting else { return try perform(options) }
        let resource = store.resource
        let attributes = AuthorizationAttributes(
            user: acting.user, verb: verb, namespace: resource.namespaced ? namespace ?? "" : "", apiGroup: resource.group,
            apiVersion: resource.version, resource: resource.plural, subresource: subresource, name: name)
        let request = InProcessRequest(attributes: attributes, userAgent: acting.userAgent, body: body, received: Date())
        let auditor = registry.inProcessAuditor
        let authorizer = registry.authorizer
        if !authorizer.allowsEverything {
            // A create is a POST to the collection: asked without the name, as upstream's RequestInfo has none.
            var asked = attributes
            if verb == "create", subresource.isEmpty { asked.name = "" }
            let decision = authorizer.authorize(asked)
            guard decision.allowed else {
                let refusal = Forbidden.error(asked, reason: decision.reason)
                logger.warning("forbidden", metadata: ["user": "\(acting.user.username)", "error": "\(refusal.message)"])
                auditor?.audit(request, status: refusal.code, response: nil, error: refusal)
                throw refusal
            }
        }
        var options = options
        options.requester = acting.user
        options.userAgent = acting.userAgent
        do {
            let result = try perform(options)
            auditor?.audit(request, status: verb == "create" ? 201 : 200, response: answer(result), error: nil)
            return result
        } catch {
            auditor?.audit(request, status: error.code, response: nil, error: error)
            throw error
        }
    }
}
