import APIMachinery

/// The status checks upstream runs on a status update (and on any update, whose status the
/// strategy keeps): counts are never negative, and an RC's counts stay within its replicas.
enum WorkloadStatusValidation {
    /// ValidateReplicationControllerStatus.
    static func replicationController(_ status: JSON?) -> [FieldError] {
        let status = status ?? [:]
        let path = FieldPath("status")
        var errs: [FieldError] = []
        for field in ["replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"] {
            errs += FieldValidation.nonnegative(status[field], path.child(field))
        }
        func count(_ field: String) -> Int64 { status[field]?.intValue ?? 0 }
        let msg = "cannot be greater than status.replicas"
        for field in ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"] where count(field) > count("replicas") {
            errs.append(.invalid(path.child(field), .int(count(field)), msg))
        }
        if count("availableReplicas") > count("readyReplicas") {
            errs.append(.invalid(path.child("availableReplicas"), .int(count("availableReplicas")), "cannot be greater than readyReplicas"))
        }
        return errs
    }

    /// ValidateDaemonSetStatus.
    static func daemonSet(_ status: JSON?) -> [FieldError] {
        let status = status ?? [:]
        let path = FieldPath("status")
        var errs: [FieldError] = []
        for field in ["currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady", "observedGeneration",
                      "updatedNumberScheduled", "numberAvailable", "numberUnavailable", "collisionCount"] {
            errs += FieldValidation.nonnegative(status[field], path.child(field))
        }
        return errs
    }

    /// ValidateIngressLoadBalancerStatus: IPs are IPs, hostnames DNS names and not IPs.
    static func ingress(_ status: JSON?) -> [FieldError] {
        let path = FieldPath("status").child("loadBalancer").child("ingress")
        var errs: [FieldError] = []
        for (i, entry) in (status?[path: "loadBalancer", "ingress"]?.arrayValue ?? []).enumerated() {
            if let ip = entry["ip"]?.stringValue, !ip.isEmpty, !NameValidation.isValidIP(ip).isEmpty {
                errs.append(.invalid(path.index(i).child("ip"), ip, "must be a valid IP address"))
            }
            if let hostname = entry["hostname"]?.stringValue, !hostname.isEmpty {
                for msg in NameValidation.isDNS1123Subdomain(hostname) { errs.append(.invalid(path.index(i).child("hostname"), hostname, msg)) }
                if NameValidation.isValidIP(hostname).isEmpty {
                    errs.append(.invalid(path.index(i).child("hostname"), hostname, "must be a DNS name, not an IP address"))
                }
            }
        }
        return errs
    }
}
