import APIMachinery

/// Services (pkg/registry/core/service: strategy, the REST layer's IP-family defaulting and
/// patchAllocatedValues; SetDefaults_Service; ValidateService / ValidateServiceUpdate).
/// Addresses and node ports are taken in Allocators/ServiceAllocation*.swift, after validation.
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
            Self.normalizeClusterIPs(&spec, old: nil)
            // Errors are reported when addresses are allocated, after validation, as upstream does.
            _ = ServiceIPFamilies.initialize(&spec, old: nil)
        }
    }

    public func prepareForUpdate(_ object: inout JSON, old: JSON) {
        object["status"] = old["status"]
        let oldSpec = old["spec"] ?? [:]
        object.modifyPath("spec") { spec in
            Self.patchAllocatedValues(&spec, old: oldSpec)
            Self.normalizeClusterIPs(&spec, old: oldSpec)
            Self.dropTypeDependentFields(&spec, old: oldSpec)
            _ = ServiceIPFamilies.initialize(&spec, old: oldSpec)
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
