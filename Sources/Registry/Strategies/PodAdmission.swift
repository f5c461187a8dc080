import APIMachinery

/// What upstream's default admission plugins add to every new pod before it is stored:
/// ServiceAccount (service account name and the projected API-access volume), Priority
/// (priority 0, PreemptLowerPriority) and DefaultTolerationSeconds (not-ready/unreachable for 300s).
enum PodAdmission {
    static let serviceAccountMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"
    /// The alphabet of upstream's utilrand.String, used for the volume's random suffix.
    static let randomAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// - Parameter account: the pod's ServiceAccount when it exists (its automountServiceAccountToken
    ///   applies when the pod does not say).
    static func admit(_ pod: inout JSON, account: JSON? = nil) {
        pod.modifyPath("spec") { spec in
            spec.setDefaultString("serviceAccountName", "default")
            spec["serviceAccount"] = spec["serviceAccountName"]
            spec.setDefault("priority", 0)
            spec.setDefault("preemptionPolicy", "PreemptLowerPriority")
            addDefaultTolerations(&spec)
            mountServiceAccountToken(&spec, account: account)
            // A pod without image pull secrets of its own gets its account's.
            if spec.array("imagePullSecrets").isEmpty, let secrets = account?["imagePullSecrets"]?.arrayValue, !secrets.isEmpty {
                spec["imagePullSecrets"] = .array(secrets.map { ["name": $0["name"] ?? ""] })
            }
        }
    }

    static func addDefaultTolerations(_ spec: inout JSON) {
        var tolerations = spec.array("tolerations")
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
            let tolerated = tolerations.contains { t in
                let effect = t.string("effect")
                guard effect.isEmpty || effect == "NoExecute" else { return false }
                return t.string("key") == key || (t.string("key").isEmpty && t.string("operator") == "Exists")
            }
            if !tolerated {
                tolerations.append(["effect": "NoExecute", "key": .string(key), "operator": "Exists", "tolerationSeconds": 300])
            }
        }
        spec["tolerations"] = .array(tolerations)
    }

    /// The `kube-api-access-xxxxx` volume and its read-only mount in every container, unless the
    /// pod (or, when the pod does not say, its account) opts out, or the pod already mounts
    /// something at the token path (shouldAutomount).
    static func mountServiceAccountToken(_ spec: inout JSON, account: JSON? = nil) {
        let automount = spec["automountServiceAccountToken"]?.boolValue ?? account?["automountServiceAccountToken"]?.boolValue ?? true
        if !automount { return }
        let allContainers = spec.array("containers") + spec.array("initContainers")
        let alreadyMounted = allContainers.contains { c in
            c.array("volumeMounts").contains { $0.string("mountPath") == serviceAccountMountPath }
        }
        if alreadyMounted { return }
        let name = "kube-api-access-" + String((0..<5).map { _ in randomAlphabet.randomElement()! })
        let volume: JSON = [
            "name": .string(name),
            "projected": [
                "defaultMode": 420,
                "sources": [
                    ["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]],
                    ["configMap": ["items": [["key": "ca.crt", "path": "ca.crt"]], "name": "kube-root-ca.crt"]],
                    ["downwardAPI": ["items": [
                        ["fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.namespace"], "path": "namespace"],
                    ]]],
                ],
            ],
        ]
        spec["volumes"] = .array(spec.array("volumes") + [volume])
        let mount: JSON = ["mountPath": .string(serviceAccountMountPath), "name": .string(name), "readOnly": true]
        for key in ["initContainers", "containers"] {
            spec.modifyEach(key) { c in c["volumeMounts"] = .array(c.array("volumeMounts") + [mount]) }
        }
    }
}
