import APIMachinery
import Registry

/// The controllers' ServiceAccounts in kube-system, made as kube-controller-manager's
/// SAControllerClientBuilder makes each one before handing out its client
/// (getOrCreateServiceAccount, with the manager's own credentials): `kubectl get sa -n kube-system`
/// lists them as on a cluster. Nothing depends on them existing: a controller acts as its account's
/// user whether or not the object is there, so a failure is only logged.
enum ControllerServiceAccounts {
    static let resource = GroupResource(group: "", resource: "serviceaccounts")

    static func ensure(for users: [ControllerUser?], context: ControllerContext) {
        let prefix = "system:serviceaccount:\(ControllerUser.kubeSystem):"
        let names = Set(users.compactMap { user -> String? in
            guard let username = user?.user.username, username.hasPrefix(prefix) else { return nil }
            return String(username.dropFirst(prefix.count))
        })
        guard !names.isEmpty, let store = context.registry.store(resource) else { return }
        let accounts = context.acting(as: .controllerManager("kube-controller-manager")).client(store)
        for name in names.sorted() where (try? accounts.get(namespace: ControllerUser.kubeSystem, name: name)) == nil {
            let account: JSON = ["apiVersion": "v1", "kind": "ServiceAccount",
                                 "metadata": ["name": .string(name), "namespace": .string(ControllerUser.kubeSystem)]]
            do {
                _ = try accounts.create(namespace: ControllerUser.kubeSystem, body: RequestBody(value: account))
            } catch {
                if !error.isAlreadyExists {
                    context.logger.warning("could not create the controller's ServiceAccount",
                                           metadata: ["account": "\(name)", "error": "\(error.message)"])
                }
            }
        }
    }
}
