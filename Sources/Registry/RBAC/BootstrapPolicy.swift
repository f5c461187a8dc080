import APIMachinery
import Foundation
import Synchronization

/// The ClusterRoles and ClusterRoleBindings kube-apiserver's `rbac/bootstrap-roles` hook makes on a
/// new cluster (plugin/pkg/auth/authorizer/rbac/bootstrappolicy: the user-facing roles and the
/// system:* roles people and add-ons bind to), labelled `kubernetes.io/bootstrapping: rbac-defaults`
/// and annotated `rbac.authorization.kubernetes.io/autoupdate: "true"`, with the `system:controller:*`
/// roles of the controllers Kubelite runs (ControllerPolicy.swift). The namespaced roles of
/// kube-system are not made.
public enum BootstrapPolicy {
    static let rbacGroup = "rbac.authorization.k8s.io"
    static let read = ["get", "list", "watch"]
    static let write = ["create", "delete", "deletecollection", "patch", "update"]
    static let readWrite = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    static let eventWrite = ["create", "patch", "update"]

    static func rule(_ groups: [String], _ resources: [String], _ verbs: [String], names: [String] = []) -> JSON {
        var rule: JSONObject = ["apiGroups": .array(groups.map { .string($0) }), "resources": .array(resources.map { .string($0) })]
        if !names.isEmpty { rule["resourceNames"] = .array(names.map { .string($0) }) }
        rule["verbs"] = .array(verbs.map { .string($0) })
        return .object(rule)
    }

    static func urls(_ urls: [String], _ verbs: [String]) -> JSON {
        ["nonResourceURLs": .array(urls.map { .string($0) }), "verbs": .array(verbs.map { .string($0) })]
    }

    static func clusterRole(_ name: String, _ rules: [JSON], labels: [String: String] = [:], aggregateFrom: String? = nil) -> JSON {
        var allLabels: JSONObject = ["kubernetes.io/bootstrapping": "rbac-defaults"]
        for (k, v) in labels { allLabels[k] = .string(v) }
        var role: JSONObject = [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": ["name": .string(name), "labels": .object(allLabels),
                         "annotations": ["rbac.authorization.kubernetes.io/autoupdate": "true"]],
        ]
        if let aggregateFrom {
            role["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": .object([aggregateFrom: "true"])]]]
        } else {
            role["rules"] = .array(rules)
        }
        return .object(role)
    }

    static func binding(_ role: String, _ subjects: [(kind: String, name: String, namespace: String?)], name: String? = nil) -> JSON {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": ["name": .string(name ?? role), "labels": ["kubernetes.io/bootstrapping": "rbac-defaults"],
                         "annotations": ["rbac.authorization.kubernetes.io/autoupdate": "true"]],
            "roleRef": ["apiGroup": .string(rbacGroup), "kind": "ClusterRole", "name": .string(role)],
            "subjects": .array(subjects.map { s in
                var subject: JSONObject = ["kind": .string(s.kind), "name": .string(s.name)]
                if s.kind == "ServiceAccount" { subject["namespace"] = .string(s.namespace ?? "") } else { subject["apiGroup"] = .string(rbacGroup) }
                return .object(subject)
            }),
        ]
    }

    /// ClusterRoles, in upstream's order (by name).
    public static var clusterRoles: [JSON] {
        [
            clusterRole("admin", [], aggregateFrom: "rbac.authorization.k8s.io/aggregate-to-admin"),
            clusterRole("cluster-admin", [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
            clusterRole("edit", [], labels: ["rbac.authorization.k8s.io/aggregate-to-admin": "true"],
                        aggregateFrom: "rbac.authorization.k8s.io/aggregate-to-edit"),
            clusterRole("system:aggregate-to-admin", [
                rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
                rule([rbacGroup], ["rolebindings", "roles"], readWrite),
            ], labels: ["rbac.authorization.k8s.io/aggregate-to-admin": "true"]),
            clusterRole("system:aggregate-to-edit", [
                rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], read),
                rule([""], ["serviceaccounts"], ["impersonate"]),
                rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], write),
                rule([""], ["pods/eviction"], ["create"]),
                rule([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale",
                            "secrets", "serviceaccounts", "services", "services/proxy"], write),
                rule([""], ["serviceaccounts/token"], ["create"]),
                rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                                "replicasets/scale", "statefulsets", "statefulsets/scale"], write),
                rule(["autoscaling"], ["horizontalpodautoscalers"], write),
                rule(["batch"], ["cronjobs", "jobs"], write),
                rule(["extensions"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses",
                                      "networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale"], write),
                rule(["policy"], ["poddisruptionbudgets"], write),
                rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], write),
                rule(["coordination.k8s.io"], ["leases"], readWrite),
            ], labels: ["rbac.authorization.k8s.io/aggregate-to-edit": "true"]),
            clusterRole("system:aggregate-to-view", [
                rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                            "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"], read),
                rule([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
                            "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], read),
                rule([""], ["namespaces"], read),
                rule(["discovery.k8s.io"], ["endpointslices"], read),
                rule(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                                "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
                                "statefulsets/scale", "statefulsets/status"], read),
                rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], read),
                rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], read),
                rule(["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                                      "ingresses", "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale",
                                      "replicasets/status", "replicationcontrollers/scale"], read),
                rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], read),
                rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], read),
            ], labels: ["rbac.authorization.k8s.io/aggregate-to-view": "true"]),
            // metrics-server's role (Kubelite serves metrics.k8s.io itself): `kubectl top` for view,
            // edit and admin.
            clusterRole("system:aggregated-metrics-reader", [rule(["metrics.k8s.io"], ["pods", "nodes"], read)],
                        labels: ["rbac.authorization.k8s.io/aggregate-to-view": "true",
                                 "rbac.authorization.k8s.io/aggregate-to-edit": "true",
                                 "rbac.authorization.k8s.io/aggregate-to-admin": "true"]),
            clusterRole("system:auth-delegator", [
                rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
                rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
            ]),
            clusterRole("system:basic-user", [
                rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
                rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"]),
            ]),
            clusterRole("system:discovery", [
                urls(["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz",
                      "/version", "/version/"], ["get"]),
            ]),
            clusterRole("system:heapster", [
                rule([""], ["events", "namespaces", "nodes", "pods"], read),
                rule(["extensions"], ["deployments"], read),
            ]),
            clusterRole("system:kube-aggregator", [rule([""], ["endpoints", "services"], read)]),
            clusterRole("system:kube-controller-manager", [
                rule(["", "events.k8s.io"], ["events"], eventWrite),
                rule(["coordination.k8s.io"], ["leases"], ["create"]),
                rule(["coordination.k8s.io"], ["leases"], ["get", "update"], names: ["kube-controller-manager"]),
                rule([""], ["endpoints"], ["create"]),
                rule([""], ["endpoints"], ["get", "update"], names: ["kube-controller-manager"]),
                rule([""], ["secrets", "serviceaccounts"], ["create"]),
                rule([""], ["secrets"], ["delete"]),
                rule([""], ["configmaps", "namespaces", "secrets", "serviceaccounts"], ["get"]),
                rule([""], ["secrets", "serviceaccounts"], ["update"]),
                rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
                rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
                rule(["*"], ["*"], ["list", "watch"]),
                rule([""], ["serviceaccounts/token"], ["create"]),
            ]),
            clusterRole("system:kube-dns", [rule([""], ["endpoints", "services"], ["list", "watch"])]),
            clusterRole("system:kube-scheduler", [
                rule(["", "events.k8s.io"], ["events"], eventWrite),
                rule(["coordination.k8s.io"], ["leases"], ["create"]),
                rule(["coordination.k8s.io"], ["leases"], ["get", "update"], names: ["kube-scheduler"]),
                rule([""], ["endpoints"], ["create"]),
                rule([""], ["endpoints"], ["get", "update"], names: ["kube-scheduler"]),
                rule([""], ["nodes"], read),
                rule([""], ["pods"], ["delete", "get", "list", "watch"]),
                rule([""], ["bindings", "pods/binding"], ["create"]),
                rule([""], ["pods/status"], ["patch", "update"]),
                rule([""], ["replicationcontrollers", "services"], read),
                rule(["apps", "extensions"], ["replicasets"], read),
                rule(["apps"], ["statefulsets"], read),
                rule(["policy"], ["poddisruptionbudgets"], read),
                rule([""], ["persistentvolumeclaims", "persistentvolumes"], read),
                rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
                rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
                rule(["storage.k8s.io"], ["csinodes"], read),
                rule([""], ["namespaces"], ["get", "list", "watch"]),
                rule(["storage.k8s.io"], ["csidrivers"], read),
                rule(["storage.k8s.io"], ["csistoragecapacities"], read),
            ]),
            clusterRole("system:kubelet-api-admin", [
                rule([""], ["nodes"], read),
                rule([""], ["nodes"], ["proxy"]),
                rule([""], ["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"], ["*"]),
            ]),
            clusterRole("system:monitoring", [
                urls(["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"], ["get"]),
            ]),
            clusterRole("system:node-bootstrapper", [
                rule(["certificates.k8s.io"], ["certificatesigningrequests"], ["create", "get", "list", "watch"]),
            ]),
            clusterRole("system:node-problem-detector", [
                rule([""], ["nodes"], ["get"]),
                rule([""], ["nodes/status"], ["patch"]),
                rule(["", "events.k8s.io"], ["events"], eventWrite),
            ]),
            clusterRole("system:node-proxier", [
                rule([""], ["endpoints", "services"], ["list", "watch"]),
                rule([""], ["nodes"], read),
                rule(["", "events.k8s.io"], ["events"], eventWrite),
                rule(["discovery.k8s.io"], ["endpointslices"], ["list", "watch"]),
            ]),
            clusterRole("system:persistent-volume-provisioner", [
                rule([""], ["persistentvolumes"], ["create", "delete", "get", "list", "watch"]),
                rule([""], ["persistentvolumeclaims"], ["get", "list", "update", "watch"]),
                rule(["storage.k8s.io"], ["storageclasses"], read),
                rule([""], ["events"], ["watch"]),
                rule(["", "events.k8s.io"], ["events"], eventWrite),
            ]),
            clusterRole("system:public-info-viewer", [urls(["/healthz", "/livez", "/readyz", "/version", "/version/"], ["get"])]),
            clusterRole("system:service-account-issuer-discovery", [
                urls(["/.well-known/openid-configuration", "/openid/v1/jwks"], ["get"]),
            ]),
            clusterRole("system:volume-scheduler", [
                rule([""], ["persistentvolumes"], ["get", "list", "patch", "update", "watch"]),
                rule(["storage.k8s.io"], ["storageclasses"], read),
                rule([""], ["persistentvolumeclaims"], ["get", "list", "patch", "update", "watch"]),
            ]),
            clusterRole("view", [], labels: ["rbac.authorization.k8s.io/aggregate-to-edit": "true"],
                        aggregateFrom: "rbac.authorization.k8s.io/aggregate-to-view"),
        ]
    }

    /// ClusterRoleBindings of the roles above (bootstrappolicy.ClusterRoleBindings).
    public static var clusterRoleBindings: [JSON] {
        [
            binding("cluster-admin", [("Group", "system:masters", nil)]),
            binding("system:basic-user", [("Group", "system:authenticated", nil)]),
            binding("system:discovery", [("Group", "system:authenticated", nil)]),
            binding("system:kube-controller-manager", [("User", "system:kube-controller-manager", nil)]),
            binding("system:kube-dns", [("ServiceAccount", "kube-dns", "kube-system")]),
            binding("system:kube-scheduler", [("User", "system:kube-scheduler", nil)]),
            binding("system:monitoring", [("Group", "system:monitoring", nil)]),
            binding("system:node-proxier", [("User", "system:kube-proxy", nil)]),
            binding("system:public-info-viewer", [("Group", "system:authenticated", nil), ("Group", "system:unauthenticated", nil)]),
            binding("system:service-account-issuer-discovery", [("Group", "system:serviceaccounts", nil)]),
            binding("system:volume-scheduler", [("User", "system:kube-scheduler", nil)]),
        ]
    }
}

extension Registry {
    /// Creates the bootstrap ClusterRoles and ClusterRoleBindings that do not exist yet (upstream's
    /// hook reconciles them at every start; one deleted by a user comes back at the next start).
    ///
    /// The creates run side by side: with the durable store each waits for its fsync, and together
    /// they share a few (a first start wrote some 50 objects one fsync after another).
    public func bootstrapRBAC() throws(APIError) {
        var missing: [(ResourceStore, JSON)] = []
        for (plural, objects) in [("clusterroles", BootstrapPolicy.clusterRoles + BootstrapPolicy.controllerRoles),
                                  ("clusterrolebindings", BootstrapPolicy.clusterRoleBindings + BootstrapPolicy.controllerRoleBindings)] {
            guard let store = store(group: BootstrapPolicy.rbacGroup, plural: plural) else { continue }
            for object in objects where (try? store.get(namespace: nil, name: object.meta.name)) == nil {
                missing.append((store, object))
            }
        }
        try createSideBySide(missing)
    }

    /// Creates cluster-scoped objects on up to 16 threads at once: with the durable store each
    /// create waits for its fsync, and together they share a few.
    func createSideBySide(_ missing: [(ResourceStore, JSON)]) throws(APIError) {
        // Threads of their own, not Dispatch's: its concurrent queues run as many blocks as there
        // are cores, and these mostly wait.
        let creates = missing
        let failure = Mutex<APIError?>(nil)
        let next = Mutex(0)
        let done = DispatchGroup()
        for _ in 0..<min(16, creates.count) {
            done.enter()
            Thread.detachNewThread {
                while let i = next.withLock({ n -> Int? in defer { n += 1 }; return n < creates.count ? n : nil }) {
                    let (store, object) = creates[i]
                    do {
                        _ = try store.create(namespace: nil, body: RequestBody(value: object), options: WriteOptions())
                    } catch {
                        let failed = error as? APIError ?? APIError.internalError("\(error)")
                        failure.withLock { if $0 == nil { $0 = failed } }
                    }
                }
                done.leave()
            }
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
