import APIMachinery

/// The `system:controller:<name>` ClusterRoles upstream's bootstrap policy gives each controller of
/// kube-controller-manager (bootstrappolicy/controller_policy.go), and their ClusterRoleBindings to the
/// controller's ServiceAccount in kube-system, for the controllers Kubelite runs: what a cluster
/// starts with, so `kubectl get clusterroles` and tools that read them see upstream's objects.
/// Kubelite's controllers act as these accounts (ControllerRuntime's `ControllerUser`), so each role
/// must grant what its controller writes.
extension BootstrapPolicy {
    static let events = rule(["", "events.k8s.io"], ["events"], eventWrite)

    static func controllerRole(_ name: String, _ rules: [JSON]) -> JSON {
        clusterRole("system:controller:\(name)", rules + [events])
    }

    /// The controllers' ClusterRoles, by name as upstream sorts them.
    public static var controllerRoles: [JSON] {
        [
            clusterRole("system:controller:clusterrole-aggregation-controller", [
                rule([rbacGroup], ["clusterroles"], ["escalate", "get", "list", "patch", "update", "watch"]),
            ]),
            controllerRole("cronjob-controller", [
                rule(["batch"], ["cronjobs"], ["get", "list", "update", "watch"]),
                rule(["batch"], ["jobs"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
                rule(["batch"], ["cronjobs/status"], ["update"]),
                rule(["batch"], ["cronjobs/finalizers"], ["update"]),
                rule([""], ["pods"], ["delete", "list", "watch"]),
            ]),
            controllerRole("daemon-set-controller", [
                rule(["apps", "extensions"], ["daemonsets"], read),
                rule(["apps", "extensions"], ["daemonsets/status"], ["update"]),
                rule(["apps", "extensions"], ["daemonsets/finalizers"], ["update"]),
                rule([""], ["nodes"], ["list", "watch"]),
                rule([""], ["pods"], ["create", "delete", "list", "patch", "watch"]),
                rule([""], ["pods/binding"], ["create"]),
                rule(["apps"], ["controllerrevisions"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
            ]),
            controllerRole("deployment-controller", [
                rule(["apps", "extensions"], ["deployments"], ["get", "list", "update", "watch"]),
                rule(["apps", "extensions"], ["deployments/status"], ["update"]),
                rule(["apps", "extensions"], ["deployments/finalizers"], ["update"]),
                rule(["apps", "extensions"], ["replicasets"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
                rule([""], ["pods"], ["get", "list", "update", "watch"]),
            ]),
            controllerRole("disruption-controller", [
                rule(["apps", "extensions"], ["deployments"], read),
                rule(["apps", "extensions"], ["replicasets"], read),
                rule([""], ["replicationcontrollers"], read),
                rule(["policy"], ["poddisruptionbudgets"], read),
                rule(["apps"], ["statefulsets"], read),
                rule(["policy"], ["poddisruptionbudgets/status"], ["update"]),
                rule([""], ["pods/status"], ["patch", "update"]),
                rule(["*"], ["*/scale"], ["get"]),
            ]),
            controllerRole("endpoint-controller", [
                rule([""], ["pods", "services"], read),
                rule([""], ["endpoints"], ["create", "delete", "get", "list", "update", "watch"]),
                rule([""], ["endpoints/restricted"], ["create"]),
            ]),
            controllerRole("endpointslice-controller", [
                rule([""], ["nodes", "pods", "services"], read),
                rule([""], ["services/finalizers"], ["update"]),
                rule(["discovery.k8s.io"], ["endpointslices"], ["create", "delete", "get", "list", "update", "watch"]),
            ]),
            controllerRole("generic-garbage-collector", [
                rule(["*"], ["*"], ["delete", "get", "list", "patch", "update", "watch"]),
            ]),
            controllerRole("horizontal-pod-autoscaler", [
                rule(["autoscaling"], ["horizontalpodautoscalers"], read),
                rule(["autoscaling"], ["horizontalpodautoscalers/status"], ["update"]),
                rule(["*"], ["*/scale"], ["get", "update"]),
                rule([""], ["pods"], ["list"]),
                rule([""], ["services/proxy"], ["get"], names: ["https:heapster:", "http:heapster:"]),
                rule(["metrics.k8s.io"], ["pods"], ["list"]),
                rule(["custom.metrics.k8s.io"], ["*"], ["get", "list"]),
                rule(["external.metrics.k8s.io"], ["*"], ["get", "list"]),
            ]),
            controllerRole("job-controller", [
                rule(["batch"], ["jobs"], ["get", "list", "patch", "update", "watch"]),
                rule(["batch"], ["jobs/status"], ["update"]),
                rule(["batch"], ["jobs/finalizers"], ["update"]),
                rule([""], ["pods"], ["create", "delete", "list", "patch", "watch"]),
            ]),
            clusterRole("system:controller:namespace-controller", [
                rule([""], ["namespaces"], ["delete", "get", "list", "watch"]),
                rule([""], ["namespaces/finalize", "namespaces/status"], ["update"]),
                rule(["*"], ["*"], ["delete", "deletecollection", "get", "list", "watch"]),
            ]),
            clusterRole("system:controller:persistent-volume-binder", [
                rule([""], ["persistentvolumes"], ["create", "delete", "get", "list", "update", "watch"]),
                rule([""], ["persistentvolumes/status"], ["update"]),
                rule([""], ["persistentvolumeclaims"], ["get", "list", "update", "watch"]),
                rule([""], ["persistentvolumeclaims/status"], ["update"]),
                rule([""], ["pods"], ["create", "delete", "get", "list", "watch"]),
                rule(["storage.k8s.io"], ["storageclasses"], read),
                rule([""], ["nodes"], ["list", "watch"]),
                events,
                rule([""], ["events"], ["watch"]),
            ]),
            controllerRole("pv-protection-controller", [
                rule([""], ["persistentvolumes"], ["get", "list", "update", "watch"]),
            ]),
            controllerRole("pvc-protection-controller", [
                rule([""], ["persistentvolumeclaims"], ["get", "list", "update", "watch"]),
                rule([""], ["persistentvolumeclaims/status"], ["update"]),
                rule([""], ["pods"], read),
            ]),
            controllerRole("replicaset-controller", [
                rule(["apps", "extensions"], ["replicasets"], ["get", "list", "update", "watch"]),
                rule(["apps", "extensions"], ["replicasets/status"], ["update"]),
                rule(["apps", "extensions"], ["replicasets/finalizers"], ["update"]),
                rule([""], ["pods"], ["create", "delete", "list", "patch", "watch"]),
            ]),
            controllerRole("replication-controller", [
                rule([""], ["replicationcontrollers"], ["get", "list", "update", "watch"]),
                rule([""], ["replicationcontrollers/status"], ["update"]),
                rule([""], ["replicationcontrollers/finalizers"], ["update"]),
                rule([""], ["pods"], ["create", "delete", "list", "patch", "watch"]),
            ]),
            controllerRole("resourcequota-controller", [
                rule(["*"], ["*"], ["list", "watch"]),
                rule([""], ["resourcequotas/status"], ["update"]),
            ]),
            controllerRole("root-ca-cert-publisher", [
                rule([""], ["configmaps"], ["create", "update"]),
            ]),
            controllerRole("service-account-controller", [
                rule([""], ["serviceaccounts"], ["create"]),
            ]),
            controllerRole("statefulset-controller", [
                rule([""], ["pods"], ["list", "watch"]),
                rule(["apps"], ["statefulsets"], read),
                rule(["apps"], ["statefulsets/status"], ["update"]),
                rule(["apps"], ["statefulsets/finalizers"], ["update"]),
                rule([""], ["pods"], ["create", "delete", "get", "patch", "update"]),
                rule(["apps"], ["controllerrevisions"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
                rule([""], ["persistentvolumeclaims"], ["create", "get", "list", "watch"]),
                rule([""], ["persistentvolumeclaims"], ["delete", "update"]),
                rule([""], ["pods/finalizers"], ["update"]),
            ]),
            controllerRole("ttl-after-finished-controller", [
                rule(["batch"], ["jobs"], ["delete", "get", "list", "watch"]),
            ]),
        ]
    }

    /// Each controller role bound to its controller's ServiceAccount in kube-system.
    public static var controllerRoleBindings: [JSON] {
        controllerRoles.map { role in
            let name = role.meta.name
            let account = String(name.dropFirst("system:controller:".count))
            return binding(name, [("ServiceAccount", account, "kube-system")])
        }
    }
}
