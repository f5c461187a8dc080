import APIMachinery

/// Endpoints (pkg/registry/core/endpoint/strategy.go, SetDefaults_Endpoints, ValidateEndpoints).
public struct EndpointsStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.endpoints }

    public func applyDefaults(_ object: inout JSON) {
        object.modifyEach("subsets") { subset in
            subset.modifyEach("ports") { $0.setDefaultString("protocol", "TCP") }
        }
    }

    public func validate(_ object: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, subset) in object.array("subsets").enumerated() {
            let p = FieldPath("subsets").index(i)
            if subset.array("addresses").isEmpty && subset.array("notReadyAddresses").isEmpty {
                errs.append(.required(p, "must specify `addresses` or `notReadyAddresses`"))
            }
            for key in ["addresses", "notReadyAddresses"] {
                for (j, address) in subset.array(key).enumerated() {
                    errs += validateAddress(address, p.child(key).index(j))
                }
            }
            let ports = subset.array("ports")
            for (j, port) in ports.enumerated() {
                let pp = p.child("ports").index(j)
                let name = port.string("name")
                if ports.count > 1 && name.isEmpty {
                    errs.append(.required(pp.child("name"), ""))
                } else if !name.isEmpty {
                    errs += FieldValidation.dns1123Label(name, pp.child("name"))
                }
                errs += NameValidation.isValidPortNum(port["port"]?.intValue ?? 0).map { .invalid(pp.child("port"), port["port"] ?? 0, $0) }
                errs += FieldValidation.enumValue(port["protocol"], ContainerValidation.supportedPortProtocols, pp.child("protocol"))
            }
        }
        return errs
    }

    func validateAddress(_ address: JSON, _ path: FieldPath) -> [FieldError] {
        let ip = address.string("ip")
        var errs = NameValidation.isValidIP(ip).map { FieldError.invalid(path.child("ip"), ip, $0) }
        let hostname = address.string("hostname")
        if !hostname.isEmpty { errs += FieldValidation.dns1123Label(hostname, path.child("hostname")) }
        if let node = address["nodeName"]?.stringValue {
            errs += NameValidation.isDNS1123Subdomain(node).map { .invalid(path.child("nodeName"), node, $0) }
        }
        if errs.isEmpty { errs += SpecialIP.validateNonSpecial(ip, path.child("ip")) }
        return errs
    }
}
