import APIMachinery
import Foundation

/// `kubectl get leases` columns, as upstream's printLease.
public enum LeaseTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Holder", description: "The identity of the current holder of the lease."),
        .age,
    ]

    public static func cells(_ lease: JSON, now: Date) -> [JSON] {
        [PrinterFormat.name(lease), .string(PrinterFormat.string(lease[path: "spec", "holderIdentity"])),
         PrinterFormat.age(lease, now: now)]
    }
}
