import APIMachinery
import ControllerRuntime
import Foundation
import Registry

/// kube-controller-manager's tokens controller (pkg/controller/serviceaccount/tokens_controller.go):
/// a Secret of type `kubernetes.io/service-account-token` naming an account in its
/// `kubernetes.io/service-account.name` annotation gets a long-lived token, `ca.crt` and `namespace`
/// (and the account's uid annotation); one whose account is gone, and every such Secret of a deleted
/// account, is deleted.
public struct TokensController: Controller {
    public let name = "tokens-controller"
    static let secrets = GroupResource(group: "", resource: "secrets")
    static let serviceAccounts = GroupResource(group: "", resource: "serviceaccounts")
    static let tokenType = "kubernetes.io/service-account-token"
    static let nameAnnotation = "kubernetes.io/service-account.name"
    static let uidAnnotation = "kubernetes.io/service-account.uid"

    /// The cluster CA's certificate (PEM); asked for at each sync, since it may still be being
    /// generated when the controller starts (`PendingCredentials`).
    let rootCAProvider: @Sendable () -> String
    var rootCA: String { rootCAProvider() }
    let queue = QueueSlot()

    public init(rootCA: @escaping @Sendable () -> String) { self.rootCAProvider = rootCA }
    public init(rootCA: String) { self.rootCAProvider = { rootCA } }

    public func register(_ context: ControllerContext) {
        let queue = WorkQueue<String>(name: "serviceaccount_tokens_secret", timers: context.timers)
        self.queue.set(queue)
        let secrets = context.informer(Self.secrets)
        let secretChanged: @Sendable (JSON) -> Void = { secret in
            if secret["type"]?.stringValue == Self.tokenType { queue.add(secret.meta.key) }
        }
        secrets.addHandler(.init(added: secretChanged, updated: { _, new in secretChanged(new) }))
        // An account's deletion takes its token Secrets with it.
        context.informer(Self.serviceAccounts).addHandler(.init(added: { account in
            Self.enqueueTokens(of: account, secrets: secrets, queue: queue)
        }, deleted: { account in
            Self.enqueueTokens(of: account, secrets: secrets, queue: queue)
        }))
    }

    static func enqueueTokens(of account: JSON, secrets: Informer, queue: WorkQueue<String>) {
        for secret in secrets.list(namespace: account.meta.namespace)
        where secret["type"]?.stringValue == tokenType && secret.meta.annotations[nameAnnotation] == account.meta.name {
            queue.add(secret.meta.key)
        }
    }

    public func start(_ context: ControllerContext) {
        guard let queue = queue.get() else { return }
        for secret in context.informer(Self.secrets).list() where secret["type"]?.stringValue == Self.tokenType {
            queue.add(secret.meta.key)
        }
        queue.run(workers: 1, logger: context.logger) { key in try self.sync(key, context) }
    }

    func sync(_ key: String, _ context: ControllerContext) throws {
        let (namespace, name) = DisruptionController.splitKey(key)
        guard let secret = context.informer(Self.secrets).get(namespace: namespace, name: name),
              secret["type"]?.stringValue == Self.tokenType, !secret.meta.isBeingDeleted else { return }
        let annotations = secret.meta.annotations
        let accountName = annotations[Self.nameAnnotation] ?? ""
        let wantedUID = annotations[Self.uidAnnotation] ?? ""
        // The cache may lag a just-created account: ask the store before deleting anything.
        let account = context.informer(Self.serviceAccounts).get(namespace: namespace, name: accountName)
            ?? (try? context.client(Self.serviceAccounts).get(namespace: namespace, name: accountName).object)
        guard let account, wantedUID.isEmpty || wantedUID == account.meta.uid else {
            var options = DeleteOptions()
            options.preconditionUID = secret.meta.uid
            do { _ = try context.client(Self.secrets).delete(namespace: namespace, name: name, options: options) } catch {
                if error.isNotFound || error.isConflict { return }
                throw error
            }
            return
        }
        let data = secret["data"]?.objectValue ?? [:]
        func decoded(_ key: String) -> String? {
            data[key]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        let needsToken = (decoded("token") ?? "").isEmpty
        guard needsToken || decoded("ca.crt") != rootCA || decoded("namespace") != namespace || wantedUID.isEmpty else { return }
        var updated = secret
        if needsToken {
            guard let issuer = context.registry.tokenIssuer else { throw SyncIncomplete() }
            let token = try issuer.generateLegacyToken(LegacyServiceAccountTokenClaims(
                namespace: namespace, serviceAccountName: accountName, serviceAccountUID: account.meta.uid, secretName: name))
            updated[path: "data", "token"] = .string(Data(token.utf8).base64EncodedString())
        }
        updated[path: "data", "ca.crt"] = .string(Data(rootCA.utf8).base64EncodedString())
        updated[path: "data", "namespace"] = .string(Data(namespace.utf8).base64EncodedString())
        updated[path: "metadata", "annotations", Self.uidAnnotation] = .string(account.meta.uid)
        do {
            _ = try context.client(Self.secrets).update(namespace: namespace, name: name, body: RequestBody(value: updated), options: WriteOptions())
        } catch {
            if error.isNotFound { return }
            throw error
        }
    }
}
