import APIMachinery
import Foundation

/// autoscaling/v1 HorizontalPodAutoscalers: a view of the autoscaling/v2 objects
/// (`HorizontalPodAutoscalerConversion`), defaulted as v1 defaults them and validated as upstream
/// validates the internal object every version converts to (so field paths are v2's, e.g.
/// `spec.metrics[0].resource.target.averageUtilization`).
public struct HorizontalPodAutoscalerV1Strategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.horizontalPodAutoscalersV1 }
    public var conversion: (any VersionConversion)? { HorizontalPodAutoscalerConversion() }
    private var stored: HorizontalPodAutoscalerStrategy { HorizontalPodAutoscalerStrategy() }
    private var converted: HorizontalPodAutoscalerConversion { HorizontalPodAutoscalerConversion() }

    public var tracksGeneration: Bool { stored.tracksGeneration }

    /// v1's SetDefaults_HorizontalPodAutoscaler: at least one replica.
    public func applyDefaults(_ object: inout JSON) {
        object.setDefault("spec", .object([:]))
        object.modifyObject("spec") { $0.setDefault("minReplicas", 1) }
    }

    /// A new autoscaler has measured nothing: v1's zero status (both replica counts are written).
    public func prepareForCreate(_ object: inout JSON) {
        object["status"] = ["currentReplicas": 0, "desiredReplicas": 0]
    }

    /// The stored status stays, with the annotations that carry its v2-only part (current metrics,
    /// conditions), as upstream keeps the internal object's status.
    public func prepareForUpdate(_ object: inout JSON, old: JSON) {
        object["status"] = old["status"]
        var annotations = object[path: "metadata", "annotations"]?.objectValue ?? [:]
        let previous = old[path: "metadata", "annotations"]?.objectValue ?? [:]
        for key in [HorizontalPodAutoscalerConversion.currentMetricsAnnotation, HorizontalPodAutoscalerConversion.conditionsAnnotation] {
            annotations[key] = previous[key]
        }
        object[path: "metadata", "annotations"] = annotations.isEmpty ? nil : .object(annotations)
    }

    public func specChanged(_ object: JSON, old: JSON) -> Bool {
        stored.specChanged(converted.toStorage(object), old: converted.toStorage(old))
    }

    public func validate(_ object: JSON) -> [FieldError] { stored.validate(converted.toStorage(object)) }

    public func validateUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        stored.validateUpdate(converted.toStorage(object), old: converted.toStorage(old))
    }

    public func validateStatusUpdate(_ object: JSON, old: JSON) -> [FieldError] {
        stored.validateStatusUpdate(converted.toStorage(object), old: converted.toStorage(old))
    }

    /// Upstream prints either version with one printer, from the internal (v2-shaped) object.
    public var tableColumns: [TableColumn] { HorizontalPodAutoscalerTable.columns }
    public func tableCells(_ object: JSON, now: Date) -> [JSON] {
        HorizontalPodAutoscalerTable.cells(converted.toStorage(object), now: now)
    }
    /// The cells come from the converted object, so no row is kept per revision.
    public func tableCellTemplate(_ object: JSON) -> [TableCell]? { nil }
}
