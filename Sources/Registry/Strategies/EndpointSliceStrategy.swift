import APIMachinery

/// EndpointSlices (pkg/registry/discovery/endpointslice/strategy.go, discovery/v1 defaults,
/// ValidateEndpointSlice / ...Update).
public struct EndpointSliceStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.endpointSlices }
    static let addressTypes = ["FQDN", "IPv4", "IPv6"]

    /// Port names default to "" and protocols to TCP; `endpoints` (no omitempty) and each
    /// endpoint's `conditions` struct always read back.
    public func applyDefaults(_ object: inout JSON) {
        if object["endpoints"] == nil { object["endpoints"] = .null }
        object.modifyEach("endpoints") { $0.setDefault("conditions", .object([:])) }
        object.modifyEach("ports") { port in
            port.setDefault("name", "")
            port.setDefault("protocol", "TCP")
        }
    }

    public func validate(_ object: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        let addressType = object.string("addressType")
        errs += FieldValidation.enumValue(object["addressType"], Self.addressTypes, FieldPath("addressType"))
        let endpoints = object.array("endpoints")
        if endpoints.count > 1000 { errs.append(.tooMany(FieldPath("endpoints"), actual: endpoints.count, max: 1000)) }
        for (i, endpoint) in endpoints.enumerated() {
            let p = FieldPath("endpoints").index(i)
            let addressPath = p.child("addresses")
            let addresses = endpoint.array("addresses")
            if addresses.isEmpty {
                errs.append(.required(addressPath, "must contain at least 1 address"))
            } else if addresses.count > 100 {
                errs.append(.tooMany(addressPath, actual: addresses.count, max: 100))
            }
            for (j, address) in addresses.enumerated() {
                let a = address.stringValue ?? ""
                let ap = addressPath.index(j)
                switch addressType {
                case "IPv4":
                    if NameValidation.isValidIPv4(a) { errs += SpecialIP.validateNonSpecial(a, ap) } else {
                        errs.append(.invalid(ap, a, "must be a valid IPv4 address"))
                    }
                case "IPv6":
                    if NameValidation.isValidIPv6(a) { errs += SpecialIP.validateNonSpecial(a, ap) } else {
                        errs.append(.invalid(ap, a, "must be a valid IPv6 address"))
                    }
                case "FQDN":
                    errs += FieldValidation.dns1123Subdomain(a, ap)
                default:
                    break
                }
            }
            if let node = endpoint["nodeName"]?.stringValue {
                errs += NameValidation.isDNS1123Subdomain(node).map { .invalid(p.child("nodeName"), node, $0) }
            }
            errs += ObjectMetaValidation.validateLabels(endpoint["deprecatedTopology"], path: p.child("deprecatedTopology"))
            if let hostname = endpoint["hostname"]?.stringValue { errs += FieldValidation.dns1123Label(hostname, p.child("hostname")) }
        }
        var names = Set<String>()
        for (i, port) in object.array("ports").enumerated() {
            let p = FieldPath("ports").index(i)
            let name = port.string("name")
            if !name.isEmpty { errs += FieldValidation.dns1123Label(name, p.child("name")) }
            if names.contains(name) { errs.append(.duplicate(p.child("name"), .string(name))) } else { names.insert(name) }
            if port["protocol"] == nil || port["protocol"] == .null {
                errs.append(.required(p.child("protocol"), ""))
            } else if !ContainerValidation.supportedPortProtocols.contains(port.string("protocol")) {
                errs.append(.notSupported(p.child("protocol"), port["protocol"], ContainerValidation.supportedPortProtocols))
            }
        }
        return errs
    }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        validate(object) + FieldValidation.immutable(object["addressType"], old["addressType"], FieldPath("addressType"))
    }
}
