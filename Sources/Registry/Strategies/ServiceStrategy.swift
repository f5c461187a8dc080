import APIMachinery

/// Services (pkg/registry/core/service: strategy, the REST layer's IP-family defaulting and
/// patchAllocatedValues; SetDefaults_Service; ValidateService / ValidateServiceUpdate).
/// Cluster IPs themselves are allocated elsewhere; this keeps `clusterIP` and `clusterIPs` in step.
public struct ServiceStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.services }
    public var nameValidator: NameValidator { NameValidation.nameIsDNS1035Label }

    public func applyDefaults(_ object: inout JSON) {
        object.modifyPath("spec") { spec in
            spec.setDefaultString("sessionAffinity", "None")
            switch spec.string("sessionAffinity") {
            case "None":
                spec["sessionAffinityConfig"] = nil
            case "ClientIP":
                if spec[path: "sessionAffinityConfig", "clientIP", "timeoutSeconds"] == nil {
                    spec["sessionAffinityConfig"] = ["clientIP": ["timeoutSeconds": 10800]]
                }
            default:
                break
            }
            spec.setDefaultString("type", "ClusterIP")
            spec.modifyEach("ports") { port in
                port.setDefaultString("protocol", "TCP")
                if port["targetPort"] == nil || port["targetPort"]?.isGoZero == true { port["targetPort"] = port["port"] }
            }
            let type = spec.string("type")
            let externallyAccessible = type == "LoadBalancer" || type == "NodePort"
                || (type == "ClusterIP" && !spec.array("externalIPs").isEmpty)
            if externallyAccessible { spec.setDefaultString("externalTrafficPolicy", "Cluster") }
            if ["NodePort", "LoadBalancer", "ClusterIP"].contains(type) { spec.setDefault("internalTrafficPolicy", "Cluster") }
            if type == "LoadBalancer" { spec.setDefault("allocateLoadBalancerNodePorts", true) }
        }
    }

    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = ["loadBalancer": [:]]
        object.modifyPath("spec") { spec in
            let clusterIP = spec.string("clusterIP")
            if !clusterIP.isEmpty && spec.array("clusterIPs").isEmpty { spec["clusterIPs"] = [.string(clusterIP)] }
            Self.defaultIPFamilies(&spec)
        }
    }

    public func prepareForUpdate(_ object: inout JSON, old: JSON) {
        object["status"] = old["status"]
        let oldSpec = old["spec"] ?? [:]
        object.modifyPath("spec") { spec in
            // patchAllocatedValues: a client that leaves out allocated values keeps them.
            if oldSpec.string("type") != "ExternalName" && spec.string("type") != "ExternalName" {
                if spec.string("clusterIP").isEmpty { spec["clusterIP"] = oldSpec["clusterIP"] }
                if spec.array("clusterIPs").isEmpty, !oldSpec.array("clusterIPs").isEmpty { spec["clusterIPs"] = oldSpec["clusterIPs"] }
                if spec["ipFamilyPolicy"] == nil { spec["ipFamilyPolicy"] = oldSpec["ipFamilyPolicy"] }
                if spec.array("ipFamilies").isEmpty, !oldSpec.array("ipFamilies").isEmpty { spec["ipFamilies"] = oldSpec["ipFamilies"] }
            }
            // NormalizeClusterIPs: a changed singular value with an unchanged plural rewrites the plural.
            if spec.string("clusterIP") != oldSpec.string("clusterIP"), spec["clusterIPs"] == oldSpec["clusterIPs"] {
                let ip = spec.string("clusterIP")
                spec["clusterIPs"] = ip.isEmpty ? nil : [.string(ip)]
            }
            Self.defaultIPFamilies(&spec)
        }
    }

    /// The allocator's family defaulting on a single-stack IPv4 cluster: headless services without
    /// a selector become RequireDualStack over both families, all others SingleStack IPv4.
    static func defaultIPFamilies(_ spec: inout JSON) {
        guard spec.string("type") != "ExternalName" else { return }
        let headlessWithoutSelector = spec.array("clusterIPs").first?.stringValue == "None"
            && (spec["selector"]?.objectValue ?? [:]).isEmpty
        if headlessWithoutSelector {
            spec.setDefault("ipFamilyPolicy", "RequireDualStack")
            var families = spec.array("ipFamilies")
            if families.isEmpty { families = ["IPv4"] }
            if families.count == 1 { families.append(families[0] == "IPv4" ? "IPv6" : "IPv4") }
            spec["ipFamilies"] = .array(families)
        } else {
            spec.setDefault("ipFamilyPolicy", "SingleStack")
            if spec.array("ipFamilies").isEmpty { spec["ipFamilies"] = ["IPv4"] }
        }
    }

    public func validate(_ object: JSON) -> [FieldError] {
        ServiceValidation.validate(object["spec"] ?? [:])
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        ServiceValidation.validateClusterIPsUpdate(object["spec"] ?? [:], old: old["spec"] ?? [:])
            + ServiceValidation.validate(object["spec"] ?? [:])
    }
}
