import APIMachinery
import Foundation

/// `kubectl get endpoints` columns, as upstream's printEndpoints.
public enum EndpointsTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Endpoints", description: "The ready addresses with their ports."),
        .age,
    ]

    /// At most three `ip:port` entries are listed (every address for every port); the rest are counted.
    static let maxListed = 3

    public static func cells(_ endpoints: JSON, now: Date) -> [JSON] {
        [PrinterFormat.name(endpoints), .string(format(endpoints)), PrinterFormat.age(endpoints, now: now)]
    }

    /// formatEndpoints with all ports: `<none>` without subsets; headless subsets without ports list bare IPs.
    static func format(_ endpoints: JSON) -> String {
        let subsets = PrinterFormat.array(endpoints["subsets"])
        guard !subsets.isEmpty else { return "<none>" }
        var list: [String] = []
        var more = false
        var count = 0
        for subset in subsets {
            let addresses = PrinterFormat.array(subset["addresses"]).map { PrinterFormat.string($0["ip"]) }
            let ports = PrinterFormat.array(subset["ports"])
            if ports.isEmpty {
                count += addresses.count
                for ip in addresses {
                    if list.count == maxListed { more = true; break }
                    list.append(ip)
                }
                continue
            }
            for port in ports {
                count += addresses.count
                for ip in addresses {
                    if list.count == maxListed { more = true; break }
                    list.append(PrinterFormat.joinHostPort(ip, PrinterFormat.int(port["port"])))
                }
            }
        }
        let joined = list.joined(separator: ",")
        return more ? "\(joined) + \(count - maxListed) more..." : joined
    }
}
