import APIMachinery

/// Every resource Kubelite serves, with upstream's group, version, kind, plural, short names, scope,
/// verbs, categories and subresources (as `kubectl api-resources -o wide` shows them on a 1.32 cluster).
public enum ResourceCatalog {
    static let noCollectionDelete = ["create", "delete", "get", "list", "patch", "update", "watch"]

    public static let namespaces = APIResource(
        group: "", version: "v1", kind: "Namespace", plural: "namespaces", shortNames: ["ns"],
        namespaced: false, verbs: noCollectionDelete, subresources: ["status", "finalize"],
        definition: "io.k8s.api.core.v1.Namespace")
    public static let pods = APIResource(
        group: "", version: "v1", kind: "Pod", plural: "pods", shortNames: ["po"],
        namespaced: true, categories: ["all"], subresources: ["attach", "binding", "eviction", "exec", "log", "portforward", "proxy", "status"],
        definition: "io.k8s.api.core.v1.Pod")
    public static let services = APIResource(
        group: "", version: "v1", kind: "Service", plural: "services", shortNames: ["svc"],
        namespaced: true, categories: ["all"], subresources: ["proxy", "status"],
        definition: "io.k8s.api.core.v1.Service")
    public static let endpoints = APIResource(
        group: "", version: "v1", kind: "Endpoints", plural: "endpoints", shortNames: ["ep"],
        namespaced: true, definition: "io.k8s.api.core.v1.Endpoints")
    public static let persistentVolumeClaims = APIResource(
        group: "", version: "v1", kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims", shortNames: ["pvc"],
        namespaced: true, subresources: ["status"], definition: "io.k8s.api.core.v1.PersistentVolumeClaim")
    public static let persistentVolumes = APIResource(
        group: "", version: "v1", kind: "PersistentVolume", plural: "persistentvolumes", shortNames: ["pv"],
        namespaced: false, subresources: ["status"], definition: "io.k8s.api.core.v1.PersistentVolume")
    public static let nodes = APIResource(
        group: "", version: "v1", kind: "Node", plural: "nodes", shortNames: ["no"],
        namespaced: false, subresources: ["status"], definition: "io.k8s.api.core.v1.Node")
    public static let events = APIResource(
        group: "", version: "v1", kind: "Event", plural: "events", shortNames: ["ev"],
        namespaced: true, definition: "io.k8s.api.core.v1.Event")
    /// events.k8s.io/v1: the core Events seen through that group's field layout (`EventConversion`).
    public static let eventsV1Events = APIResource(
        group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", shortNames: ["ev"],
        namespaced: true, definition: "io.k8s.api.events.v1.Event")
    public static let configMaps = APIResource(
        group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", shortNames: ["cm"],
        namespaced: true, definition: "io.k8s.api.core.v1.ConfigMap")
    public static let secrets = APIResource(
        group: "", version: "v1", kind: "Secret", plural: "secrets",
        namespaced: true, definition: "io.k8s.api.core.v1.Secret")
    public static let replicationControllers = APIResource(
        group: "", version: "v1", kind: "ReplicationController", plural: "replicationcontrollers", shortNames: ["rc"],
        namespaced: true, categories: ["all"], subresources: ["status", "scale"],
        definition: "io.k8s.api.core.v1.ReplicationController")
    public static let statefulSets = APIResource(
        group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", shortNames: ["sts"],
        namespaced: true, categories: ["all"], subresources: ["status", "scale"],
        definition: "io.k8s.api.apps.v1.StatefulSet")
    public static let deployments = APIResource(
        group: "apps", version: "v1", kind: "Deployment", plural: "deployments", shortNames: ["deploy"],
        namespaced: true, categories: ["all"], subresources: ["status", "scale"],
        definition: "io.k8s.api.apps.v1.Deployment")
    public static let replicaSets = APIResource(
        group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", shortNames: ["rs"],
        namespaced: true, categories: ["all"], subresources: ["status", "scale"],
        definition: "io.k8s.api.apps.v1.ReplicaSet")
    public static let daemonSets = APIResource(
        group: "apps", version: "v1", kind: "DaemonSet", plural: "daemonsets", shortNames: ["ds"],
        namespaced: true, categories: ["all"], subresources: ["status"],
        definition: "io.k8s.api.apps.v1.DaemonSet")
    public static let controllerRevisions = APIResource(
        group: "apps", version: "v1", kind: "ControllerRevision", plural: "controllerrevisions",
        namespaced: true, definition: "io.k8s.api.apps.v1.ControllerRevision")
    public static let jobs = APIResource(
        group: "batch", version: "v1", kind: "Job", plural: "jobs",
        namespaced: true, categories: ["all"], subresources: ["status"],
        definition: "io.k8s.api.batch.v1.Job")
    public static let cronJobs = APIResource(
        group: "batch", version: "v1", kind: "CronJob", plural: "cronjobs", shortNames: ["cj"],
        namespaced: true, categories: ["all"], subresources: ["status"],
        definition: "io.k8s.api.batch.v1.CronJob")
    public static let storageClasses = APIResource(
        group: "storage.k8s.io", version: "v1", kind: "StorageClass", plural: "storageclasses", shortNames: ["sc"],
        namespaced: false, definition: "io.k8s.api.storage.v1.StorageClass")
    public static let endpointSlices = APIResource(
        group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice", plural: "endpointslices",
        namespaced: true, definition: "io.k8s.api.discovery.v1.EndpointSlice")
    public static let leases = APIResource(
        group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases",
        namespaced: true, definition: "io.k8s.api.coordination.v1.Lease")
    public static let ingresses = APIResource(
        group: "networking.k8s.io", version: "v1", kind: "Ingress", plural: "ingresses", shortNames: ["ing"],
        namespaced: true, subresources: ["status"], definition: "io.k8s.api.networking.v1.Ingress")
    public static let ingressClasses = APIResource(
        group: "networking.k8s.io", version: "v1", kind: "IngressClass", plural: "ingressclasses",
        namespaced: false, definition: "io.k8s.api.networking.v1.IngressClass")

    public static let customResourceDefinitions = APIResource(
        group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions",
        shortNames: ["crd", "crds"], namespaced: false, categories: ["api-extensions"], subresources: ["status"],
        definition: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition")
    public static let podTemplates = APIResource(
        group: "", version: "v1", kind: "PodTemplate", plural: "podtemplates",
        namespaced: true, definition: "io.k8s.api.core.v1.PodTemplate")
    public static let limitRanges = APIResource(
        group: "", version: "v1", kind: "LimitRange", plural: "limitranges", shortNames: ["limits"],
        namespaced: true, definition: "io.k8s.api.core.v1.LimitRange")
    public static let resourceQuotas = APIResource(
        group: "", version: "v1", kind: "ResourceQuota", plural: "resourcequotas", shortNames: ["quota"],
        namespaced: true, subresources: ["status"], definition: "io.k8s.api.core.v1.ResourceQuota")
    public static let networkPolicies = APIResource(
        group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy", plural: "networkpolicies", shortNames: ["netpol"],
        namespaced: true, definition: "io.k8s.api.networking.v1.NetworkPolicy")
    public static let priorityClasses = APIResource(
        group: "scheduling.k8s.io", version: "v1", kind: "PriorityClass", plural: "priorityclasses", shortNames: ["pc"],
        namespaced: false, definition: "io.k8s.api.scheduling.v1.PriorityClass")
    public static let runtimeClasses = APIResource(
        group: "node.k8s.io", version: "v1", kind: "RuntimeClass", plural: "runtimeclasses",
        namespaced: false, definition: "io.k8s.api.node.v1.RuntimeClass")
    public static let horizontalPodAutoscalers = APIResource(
        group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers", shortNames: ["hpa"],
        namespaced: true, categories: ["all"], subresources: ["status"],
        definition: "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler")
    /// autoscaling/v1: the v2 objects seen through v1's single CPU target (`HorizontalPodAutoscalerConversion`).
    public static let horizontalPodAutoscalersV1 = APIResource(
        group: "autoscaling", version: "v1", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers", shortNames: ["hpa"],
        namespaced: true, categories: ["all"], subresources: ["status"],
        definition: "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler")

    public static let apiServices = APIResource(
        group: "apiregistration.k8s.io", version: "v1", kind: "APIService", plural: "apiservices",
        namespaced: false, categories: ["api-extensions"], subresources: ["status"],
        definition: "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService")

    public static let serviceAccounts = APIResource(
        group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", shortNames: ["sa"],
        namespaced: true, subresources: ["token"], definition: "io.k8s.api.core.v1.ServiceAccount")
    public static let podDisruptionBudgets = APIResource(
        group: "policy", version: "v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", shortNames: ["pdb"],
        namespaced: true, subresources: ["status"], definition: "io.k8s.api.policy.v1.PodDisruptionBudget")
    public static let roles = rbac("Role", "roles", namespaced: true)
    public static let roleBindings = rbac("RoleBinding", "rolebindings", namespaced: true)
    public static let clusterRoles = rbac("ClusterRole", "clusterroles", namespaced: false)
    public static let clusterRoleBindings = rbac("ClusterRoleBinding", "clusterrolebindings", namespaced: false)
    static func rbac(_ kind: String, _ plural: String, namespaced: Bool) -> APIResource {
        APIResource(group: "rbac.authorization.k8s.io", version: "v1", kind: kind, plural: plural, namespaced: namespaced,
                    definition: "io.k8s.api.rbac.v1.\(kind)")
    }

    // Reviews: create-only, never stored (upstream's rest.Creater without storage); served by ReviewStore.
    public static let tokenReviews = review("authentication.k8s.io", "TokenReview", "tokenreviews", namespaced: false)
    public static let selfSubjectReviews = review("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", namespaced: false)
    public static let localSubjectAccessReviews = review("authorization.k8s.io", "LocalSubjectAccessReview",
                                                         "localsubjectaccessreviews", namespaced: true)
    public static let selfSubjectAccessReviews = review("authorization.k8s.io", "SelfSubjectAccessReview",
                                                        "selfsubjectaccessreviews", namespaced: false)
    public static let selfSubjectRulesReviews = review("authorization.k8s.io", "SelfSubjectRulesReview",
                                                       "selfsubjectrulesreviews", namespaced: false)
    public static let subjectAccessReviews = review("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", namespaced: false)
    static func review(_ group: String, _ kind: String, _ plural: String, namespaced: Bool) -> APIResource {
        let package = group.hasPrefix("authentication") ? "authentication" : "authorization"
        return APIResource(group: group, version: "v1", kind: kind, plural: plural, namespaced: namespaced, verbs: ["create"],
                           definition: "io.k8s.api.\(package).v1.\(kind)")
    }

    /// All served resources, in discovery order (core first, then groups by name as upstream orders them).
    public static let all: [APIResource] = [
        configMaps, endpoints, events, limitRanges, namespaces, nodes, persistentVolumeClaims, persistentVolumes, pods,
        podTemplates, replicationControllers, resourceQuotas, secrets, serviceAccounts, services,
        apiServices,
        controllerRevisions, daemonSets, deployments, replicaSets, statefulSets,
        selfSubjectReviews, tokenReviews,
        localSubjectAccessReviews, selfSubjectAccessReviews, selfSubjectRulesReviews, subjectAccessReviews,
        horizontalPodAutoscalers, horizontalPodAutoscalersV1,
        cronJobs, jobs,
        leases,
        endpointSlices,
        eventsV1Events,
        ingressClasses, ingresses, networkPolicies,
        podDisruptionBudgets,
        clusterRoleBindings, clusterRoles, roleBindings, roles,
        storageClasses,
        priorityClasses,
        runtimeClasses,
        customResourceDefinitions,
    ]

    /// Namespaces that exist when the server starts, as on a kubeadm cluster.
    public static let initialNamespaces = ["default", "kube-node-lease", "kube-public", "kube-system"]
}
