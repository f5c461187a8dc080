import APIMachinery

/// Upstream qos.GetPodQOS: BestEffort when no container asks for CPU or memory, Guaranteed when
/// every container has CPU and memory limits equal to its requests, Burstable otherwise.
enum PodQOS {
    static let computeResources = ["cpu", "memory"]

    static func qosClass(_ spec: JSON) -> String {
        var anySet = false
        var guaranteed = true
        for c in spec.array("containers") + spec.array("initContainers") {
            var limitsFound = Set<String>()
            for name in computeResources {
                let request = positive(c[path: "resources", "requests", name])
                let limit = positive(c[path: "resources", "limits", name])
                if request != nil || limit != nil { anySet = true }
                if limit != nil { limitsFound.insert(name) }
                // Summed requests equal summed limits only if each container's do (requests <= limits).
                if let limit, request != limit { guaranteed = false }
                if limit == nil, request != nil { guaranteed = false }
            }
            if limitsFound.count != computeResources.count { guaranteed = false }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    private static func positive(_ value: JSON?) -> Quantity? {
        guard let value, let q = try? Quantity(json: value), !q.isZero, !q.isNegative else { return nil }
        return q
    }
}
