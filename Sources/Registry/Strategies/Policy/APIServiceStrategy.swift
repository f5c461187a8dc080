import APIMachinery
import Foundation

/// apiregistration.k8s.io/v1 APIServices (kube-aggregator's validation and strategy): named
/// `<version>.<group>`, priorities in range, a service reference or none. Every group-version
/// Kubelite serves has its local APIService from the start, Available because Local, as the
/// aggregator registers them. Kubelite does not proxy to aggregated API servers: an APIService
/// pointing at a Service is stored with Available False saying so.
public struct APIServiceStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.apiServices }
    /// Any path segment (`v1.` included); the name is then checked against the spec.
    public var nameValidator: NameValidator { NameValidation.nameIsPathSegment }

    /// kube-apiserver's apiVersionPriorities (group minimum, version priority) for what Kubelite serves.
    static let priorities: [String: (group: Int64, version: Int64)] = [
        "v1": (18000, 1), "apiregistration.k8s.io/v1": (18000, 15), "apps/v1": (17800, 15),
        "authentication.k8s.io/v1": (17700, 15), "authorization.k8s.io/v1": (17600, 15), "autoscaling/v2": (17500, 30),
        "batch/v1": (17400, 15), "networking.k8s.io/v1": (17200, 15), "policy/v1": (17100, 15),
        "rbac.authorization.k8s.io/v1": (17000, 15), "storage.k8s.io/v1": (16800, 15), "apiextensions.k8s.io/v1": (16700, 15),
        "scheduling.k8s.io/v1": (16600, 15), "coordination.k8s.io/v1": (16500, 15), "node.k8s.io/v1": (16300, 15),
        "discovery.k8s.io/v1": (16200, 15),
    ]

    /// The local APIService of a served group-version.
    public static func local(group: String, version: String) -> JSON {
        let priority = priorities[group.isEmpty ? version : "\(group)/\(version)"] ?? (1000, 15)
        return ["apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                "metadata": ["name": .string("\(version).\(group)"), "labels": ["kube-aggregator.kubernetes.io/automanaged": "onstart"]],
                "spec": ["group": .string(group), "version": .string(version),
                         "groupPriorityMinimum": .int(priority.group), "versionPriority": .int(priority.version)]]
    }

    /// SetDefaults_ServiceReference: port 443.
    public func applyDefaults(_ object: inout JSON) {
        guard let service = object[path: "spec", "service"], service != .null else { return }
        object[path: "spec", "service", "port"] = service["port"] ?? 443
    }

    /// The availability controller's verdict, at creation: local ones are available.
    public func prepareForCreate(_ object: inout JSON) {
        let local = object[path: "spec", "service"] == nil || object[path: "spec", "service"] == .null
        let now = object[path: "metadata", "creationTimestamp"] ?? .null
        object["status"] = ["conditions": [local
            ? ["type": "Available", "status": "True", "lastTransitionTime": now, "reason": "Local", "message": "Local APIServices are always available"]
            : ["type": "Available", "status": "False", "lastTransitionTime": now, "reason": "FailedDiscoveryCheck",
               "message": "Kubelite does not proxy to aggregated API servers (no aggregation layer): this API is not served"]]]
    }

    public func validate(_ object: JSON) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        let path = FieldPath("spec")
        var errs: [FieldError] = []
        let group = spec["group"]?.stringValue ?? "", version = spec["version"]?.stringValue ?? ""
        let name = object.meta.name
        // The name *must* be version.group (ValidateAPIService's name check).
        let required = "\(version).\(group)"
        if name != required {
            errs.append(.invalid(FieldPath("metadata.name"), .string(name), "must be `spec.version+\".\"+spec.group`: \"\(required)\""))
        }
        if group.isEmpty && version != "v1" {
            errs.append(.required(path.child("group"), "only v1 may have an empty group and it better be legacy kube"))
        }
        if !group.isEmpty {
            for message in NameValidation.isDNS1123Subdomain(group) { errs.append(.invalid(path.child("group"), .string(group), message)) }
        }
        for message in NameValidation.isDNS1035Label(version) { errs.append(.invalid(path.child("version"), .string(version), message)) }
        let groupPriority = spec["groupPriorityMinimum"]?.intValue ?? 0
        if groupPriority <= 0 || groupPriority > 20000 {
            errs.append(.invalid(path.child("groupPriorityMinimum"), .int(groupPriority), "must be positive and less than 20000"))
        }
        let versionPriority = spec["versionPriority"]?.intValue ?? 0
        if versionPriority <= 0 || versionPriority > 1000 {
            errs.append(.invalid(path.child("versionPriority"), .int(versionPriority), "must be positive and less than 1000"))
        }
        if let service = spec["service"], service != .null {
            if (service["namespace"]?.stringValue ?? "").isEmpty { errs.append(.required(path.child("service").child("namespace"), "")) }
            if (service["name"]?.stringValue ?? "").isEmpty { errs.append(.required(path.child("service").child("name"), "")) }
            if let port = service["port"]?.intValue, !(1...65535).contains(port) {
                errs.append(.invalid(path.child("service").child("port"), .int(port), "port is not valid: must be between 1 and 65535, inclusive"))
            }
            let skipVerify = spec["insecureSkipTLSVerify"]?.boolValue ?? false
            let caBundle = spec["caBundle"]?.stringValue ?? ""
            if skipVerify && !caBundle.isEmpty {
                errs.append(.invalid(path.child("insecureSkipTLSVerify"), .bool(true), "may not be true if caBundle is present"))
            }
        } else {
            if spec["insecureSkipTLSVerify"]?.boolValue == true {
                errs.append(.invalid(path.child("insecureSkipTLSVerify"), .bool(true), "local APIServices may not have insecureSkipTLSVerify"))
            }
            if !(spec["caBundle"]?.stringValue ?? "").isEmpty {
                let bytes = Data(base64Encoded: spec["caBundle"]?.stringValue ?? "")?.count ?? 0
                errs.append(.invalid(path.child("caBundle"), .string("\(bytes) bytes"), "local APIServices may not have a caBundle"))
            }
        }
        return errs
    }
}
