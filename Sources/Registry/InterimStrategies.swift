import APIMachinery

// Interim: the strategies of the kinds not yet written, so the server runs end to end while they are.
// Replaced by the full catalog in Strategies/.
struct BasicStrategy: ResourceStrategy {
    let resource: APIResource
}

public enum StrategyCatalog {
    public static let all: [any ResourceStrategy] = ResourceCatalog.all.map { resource -> any ResourceStrategy in
        switch resource.kind {
        case "Pod": return PodStrategy()
        case "Service": return ServiceStrategy()
        default: return BasicStrategy(resource: resource)
        }
    }
}
