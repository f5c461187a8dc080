import APIMachinery
import Foundation

/// A custom resource's Table (apiextensions-apiserver's tableconvertor): Name, then the version's
/// `additionalPrinterColumns`, or Age when it declares none (serveDefaultColumnsIfEmpty).
struct CustomResourceTable: Sendable {
    typealias Column = CustomResourceDefinitionView.PrinterColumn
    static let defaultColumns = [Column(name: "Age", type: "date",
                                        description: TableColumn.age.description, jsonPath: ".metadata.creationTimestamp")]

    let printerColumns: [Column]
    private let paths: [CustomResourceJSONPath?]

    init(columns: [Column]) {
        printerColumns = columns.isEmpty ? Self.defaultColumns : columns
        paths = printerColumns.map { CustomResourceJSONPath($0.jsonPath) }
    }

    var columns: [TableColumn] {
        [.name] + printerColumns.map {
            TableColumn(name: $0.name, type: $0.type, format: $0.format, description: $0.description, priority: $0.priority)
        }
    }

    /// Each column's first match, typed as the column says; a missing or mistyped value is null,
    /// which kubectl prints as `<none>`.
    func cells(_ object: JSON, now: Date) -> [JSON] {
        var cells: [JSON] = [object[path: "metadata", "name"] ?? ""]
        for (column, path) in zip(printerColumns, paths) {
            guard let value = path?.evaluate(object).first, value != .null else { cells.append(.null); continue }
            cells.append(Self.cell(value, type: column.type, now: now))
        }
        return cells
    }

    /// Upstream's cellForJSONValue.
    static func cell(_ value: JSON, type: String, now: Date) -> JSON {
        switch type {
        case "integer":
            if case .int = value { return value }
            if case .double(let d) = value, d.rounded() == d, abs(d) < 9.2e18 { return .int(Int64(d)) }
            return .null
        case "number":
            if case .double = value { return value }
            if case .int(let i) = value { return .double(Double(i)) }
            return .null
        case "boolean":
            if case .bool = value { return value }
            return .null
        case "date":
            guard let text = value.stringValue, let date = Timestamp.parse(text) else { return .null }
            return .string(Timestamp.humanDuration(now.timeIntervalSince(date)))
        default:
            return .string(CustomResourceJSONPath.text(value))
        }
    }
}
