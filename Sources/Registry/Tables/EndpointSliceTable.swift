import APIMachinery
import Foundation

/// `kubectl get endpointslices` columns, as upstream's printEndpointSlice.
public enum EndpointSliceTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "AddressType", description: "The type of address carried by this slice: IPv4, IPv6 or FQDN."),
        TableColumn(name: "Ports", description: "The network ports exposed by each endpoint."),
        TableColumn(name: "Endpoints", description: "The addresses of the endpoints in this slice."),
        .age,
    ]

    static let maxListed = 3

    public static func cells(_ slice: JSON, now: Date) -> [JSON] {
        [PrinterFormat.name(slice), .string(PrinterFormat.string(slice["addressType"])),
         .string(ports(slice)), .string(endpoints(slice)), PrinterFormat.age(slice, now: now)]
    }

    /// formatDiscoveryPorts: the port number, else its name, else `*` (all ports).
    static func ports(_ slice: JSON) -> String {
        let all = PrinterFormat.array(slice["ports"]).map { port -> String in
            if let number = port["port"]?.intValue { return String(number) }
            if let name = port["name"]?.stringValue { return name }
            return "*"
        }
        return PrinterFormat.listWithMore(Array(all.prefix(maxListed)), more: all.count > maxListed,
                                          count: all.count, max: maxListed)
    }

    /// formatDiscoveryEndpoints: every address of every endpoint.
    static func endpoints(_ slice: JSON) -> String {
        let all = PrinterFormat.array(slice["endpoints"]).flatMap { PrinterFormat.array($0["addresses"]).map(PrinterFormat.string) }
        return PrinterFormat.listWithMore(Array(all.prefix(maxListed)), more: all.count > maxListed,
                                          count: all.count, max: maxListed)
    }
}
