import APIMachinery
import Foundation

/// `kubectl get controllerrevisions` columns, as upstream's printControllerRevision.
public enum ControllerRevisionTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Controller", description: "Controller of the object"),
        TableColumn(name: "Revision", description: "The revision this object represents."),
        .age,
    ]

    public static func cells(_ revision: JSON, now: Date) -> [JSON] {
        [PrinterFormat.name(revision), .string(controller(revision)),
         .int(PrinterFormat.int(revision["revision"])), PrinterFormat.age(revision, now: now)]
    }

    /// The controlling owner as `kind.group/name` in lower case (`statefulset.apps/web`), or `<none>`.
    static func controller(_ object: JSON) -> String {
        let owners = PrinterFormat.array(object[path: "metadata", "ownerReferences"])
        guard let ref = owners.first(where: { $0["controller"]?.boolValue == true }) else { return "<none>" }
        let apiVersion = PrinterFormat.string(ref["apiVersion"])
        let group = apiVersion.contains("/") ? String(apiVersion.prefix { $0 != "/" }) : ""
        let kind = PrinterFormat.string(ref["kind"])
        let name = PrinterFormat.string(ref["name"])
        if group.isEmpty, kind.isEmpty { return name }
        return GroupKind(group: group, kind: kind).description.lowercased() + "/" + name
    }
}
