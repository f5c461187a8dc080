/// Names of the PersistentVolumeClaims a pod's volumes use (`persistentVolumeClaim.claimName`,
/// and `<pod>-<volume>` for generic ephemeral volumes).
public enum PodClaims {
    /// Claims of the pod's generic ephemeral volumes, which the ephemeral volume controller makes.
    public static func ephemeralClaimNames(_ pod: JSON) -> Set<String> {
        let podName = pod[path: "metadata", "name"]?.stringValue ?? ""
        return Set((pod[path: "spec", "volumes"]?.arrayValue ?? []).compactMap { volume in
            volume["ephemeral"] != nil ? volume["name"]?.stringValue.map { "\(podName)-\($0)" } : nil
        })
    }

    public static func claimNames(_ pod: JSON) -> [String] {
        let podName = pod[path: "metadata", "name"]?.stringValue ?? ""
        return (pod[path: "spec", "volumes"]?.arrayValue ?? []).compactMap { volume in
            if let claim = volume[path: "persistentVolumeClaim", "claimName"]?.stringValue { return claim }
            if volume["ephemeral"] != nil, let name = volume["name"]?.stringValue { return "\(podName)-\(name)" }
            return nil
        }
    }

    public static func isScheduled(_ pod: JSON) -> Bool { !(pod[path: "spec", "nodeName"]?.stringValue ?? "").isEmpty }
}
