import APIMachinery
import Foundation

/// `kubectl get configmaps` columns, as upstream's printConfigMap.
public enum ConfigMapTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Data", description: "The number of keys in data and binaryData."),
        .age,
    ]

    public static func cells(_ configMap: JSON, now: Date) -> [JSON] {
        let keys = (configMap["data"]?.objectValue?.count ?? 0) + (configMap["binaryData"]?.objectValue?.count ?? 0)
        return [PrinterFormat.name(configMap), .int(Int64(keys)), PrinterFormat.age(configMap, now: now)]
    }
}
