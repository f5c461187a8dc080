import APIMachinery

extension PodStrategy {
    /// Upstream's podStrategy.CheckGracefulDelete: the request's gracePeriodSeconds, else the pod's
    /// terminationGracePeriodSeconds; 0 for a pod no kubelet runs (unbound) or that already ended
    /// (Succeeded, Failed), since nobody would finish the deletion; negative periods become 1.
    public func gracefulDeletionPeriod(_ object: JSON, options: DeleteOptions) -> Int64? {
        var period = options.gracePeriodSeconds ?? object[path: "spec", "terminationGracePeriodSeconds"]?.intValue ?? 0
        if (object[path: "spec", "nodeName"]?.stringValue ?? "").isEmpty { period = 0 }
        let phase = object[path: "status", "phase"]?.stringValue
        if phase == "Failed" || phase == "Succeeded" { period = 0 }
        return period < 0 ? 1 : period
    }
}
