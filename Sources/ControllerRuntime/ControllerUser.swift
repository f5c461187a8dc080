import Registry

/// Who a controller acts as, as upstream runs it: kube-controller-manager with
/// `--use-service-account-credentials` gives each controller its ServiceAccount in kube-system
/// (ClientBuilder's `system:serviceaccount:kube-system:<name>`), bound by the bootstrap policy to
/// `system:controller:<name>`; the tokens controller uses the manager's own credentials
/// (`system:kube-controller-manager`); the scheduler is `system:kube-scheduler`. This is the one
/// place that maps a controller to its user.
public struct ControllerUser: Sendable, Equatable {
    public var user: UserInfo
    /// The User-Agent its client sends (`AddUserAgent(config, name)`): the program, version and
    /// platform, then the controller. Its first word names the managedFields manager
    /// (`kube-controller-manager`, `kube-scheduler`).
    public var userAgent: String

    public init(user: UserInfo, userAgent: String) { self.user = user; self.userAgent = userAgent }

    public static let kubeSystem = "kube-system"

    /// A kube-controller-manager controller acting as its ServiceAccount `account` in kube-system.
    public static func serviceAccount(_ account: String) -> ControllerUser {
        let user = UserInfo(username: "system:serviceaccount:\(kubeSystem):\(account)",
                            groups: ["system:serviceaccounts", "system:serviceaccounts:\(kubeSystem)", "system:authenticated"])
        return ControllerUser(user: user, userAgent: userAgent(program: "kube-controller-manager", client: account))
    }

    /// kube-controller-manager's own credentials (the root client builder's).
    public static func controllerManager(_ client: String) -> ControllerUser {
        ControllerUser(user: UserInfo(username: "system:kube-controller-manager", groups: ["system:authenticated"]),
                       userAgent: userAgent(program: "kube-controller-manager", client: client))
    }

    public static let scheduler = ControllerUser(
        user: UserInfo(username: "system:kube-scheduler", groups: ["system:authenticated"]),
        userAgent: userAgent(program: "kube-scheduler", client: "scheduler"))

    /// rest.DefaultKubernetesUserAgent plus the client's name: `kube-controller-manager/v1.32.0
    /// (linux/amd64) kubernetes/kubelite/statefulset-controller`.
    static func userAgent(program: String, client: String) -> String {
        "\(program)/v1.32.0 (linux/amd64) kubernetes/kubelite/\(client)"
    }

    /// The user of the controller Kubelite names `controller` (its `Controller.name`), or nil for
    /// one that acts as the server itself: the kubelet (upstream's `system:node:<name>` is
    /// authorized by the Node authorizer, which Kubelite does not serve), the service proxy (it
    /// only reads), and a controller this table does not know.
    public static func of(_ controller: String) -> ControllerUser? {
        switch controller {
        case "default-scheduler": return .scheduler
        case "tokens-controller": return .controllerManager(controller)
        default: return serviceAccounts[controller].map(serviceAccount)
        }
    }

    /// Kubelite's controller names to upstream's ServiceAccounts (controller_policy.go). The
    /// simulated provisioner provisions as the in-tree provisioners do, inside the PV binder.
    static let serviceAccounts: [String: String] = [
        "garbagecollector": "generic-garbage-collector",
        "statefulset-controller": "statefulset-controller",
        "replicaset-controller": "replicaset-controller",
        "replication-controller": "replication-controller",
        "deployment-controller": "deployment-controller",
        "daemonset-controller": "daemon-set-controller",
        "job-controller": "job-controller",
        "ttl-after-finished-controller": "ttl-after-finished-controller",
        "cronjob-controller": "cronjob-controller",
        "serviceaccount-controller": "service-account-controller",
        "root-ca-cert-publisher": "root-ca-cert-publisher",
        "disruption-controller": "disruption-controller",
        "horizontal-pod-autoscaler": "horizontal-pod-autoscaler",
        "clusterrole-aggregation-controller": "clusterrole-aggregation-controller",
        "resourcequota-controller": "resourcequota-controller",
        "endpoint-controller": "endpoint-controller",
        "endpointslice-controller": "endpointslice-controller",
        "persistentvolume-binder": "persistent-volume-binder",
        "simulated-provisioner": "persistent-volume-binder",
        "pvc-protection": "pvc-protection-controller",
        "pv-protection": "pv-protection-controller",
    ]
}
