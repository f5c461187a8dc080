import APIMachinery

/// Upstream's validation of one container (validateContainerCommon and what regular containers add):
/// name, image, ports, env, volume mounts, pull policy, resources, probes and lifecycle hooks.
enum ContainerValidation {
    static let supportedPortProtocols = ["SCTP", "TCP", "UDP"]
    static let supportedPullPolicies = ["Always", "IfNotPresent", "Never"]
    static let terminationMessagePolicies = ["File", "FallbackToLogsOnError"]

    /// `volumes` are the names a mount may reference (pod volumes, plus claim templates for workloads).
    static func validate(_ c: JSON, volumes: Set<String>, path: FieldPath, isInit: Bool) -> [FieldError] {
        var errs: [FieldError] = []
        let name = c.string("name")
        if name.isEmpty {
            errs.append(.required(path.child("name"), ""))
        } else {
            errs += FieldValidation.dns1123Label(name, path.child("name"))
        }
        if c.string("image").isEmpty { errs.append(.required(path.child("image"), "")) }
        errs += FieldValidation.enumValue(c["terminationMessagePolicy"], terminationMessagePolicies,
                                          path.child("terminationMessagePolicy"))
        errs += validatePorts(c.array("ports"), path.child("ports"))
        errs += EnvValidation.validateEnv(c.array("env"), path.child("env"))
        errs += EnvValidation.validateEnvFrom(c.array("envFrom"), path.child("envFrom"))
        errs += validateVolumeMounts(c.array("volumeMounts"), volumes: volumes, path.child("volumeMounts"))
        errs += FieldValidation.enumValue(c["imagePullPolicy"], supportedPullPolicies, path.child("imagePullPolicy"))
        errs += ResourceRequirementsValidation.validate(c["resources"], path.child("resources"))
        if !isInit {
            errs += ProbeValidation.validateProbe(c["livenessProbe"], path.child("livenessProbe"), kind: .liveness)
            errs += ProbeValidation.validateProbe(c["readinessProbe"], path.child("readinessProbe"), kind: .readiness)
            errs += ProbeValidation.validateProbe(c["startupProbe"], path.child("startupProbe"), kind: .startup)
            errs += ProbeValidation.validateLifecycle(c["lifecycle"], path.child("lifecycle"))
            if let policy = c["restartPolicy"], policy != .null {
                errs.append(.forbidden(path.child("restartPolicy"), "may not be set for non-init containers"))
            }
        }
        return errs
    }

    /// Upstream validateContainerPorts.
    static func validatePorts(_ ports: [JSON], _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        var names = Set<String>()
        for (i, port) in ports.enumerated() {
            let p = path.index(i)
            let name = port.string("name")
            if !name.isEmpty {
                let msgs = NameValidation.isValidPortName(name)
                if !msgs.isEmpty {
                    errs += msgs.map { .invalid(p.child("name"), name, $0) }
                } else if names.contains(name) {
                    errs.append(.duplicate(p.child("name"), .string(name)))
                } else {
                    names.insert(name)
                }
            }
            let containerPort = port["containerPort"]?.intValue ?? 0
            if containerPort == 0 {
                errs.append(.required(p.child("containerPort"), ""))
            } else {
                errs += NameValidation.isValidPortNum(containerPort).map { .invalid(p.child("containerPort"), port["containerPort"], $0) }
            }
            if let hostPort = port["hostPort"]?.intValue, hostPort != 0 {
                errs += NameValidation.isValidPortNum(hostPort).map { .invalid(p.child("hostPort"), port["hostPort"], $0) }
            }
            errs += FieldValidation.enumValue(port["protocol"], supportedPortProtocols, p.child("protocol"))
        }
        return errs
    }

    /// Upstream ValidateVolumeMounts.
    static func validateVolumeMounts(_ mounts: [JSON], volumes: Set<String>, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        var mountPoints = Set<String>()
        for (i, mount) in mounts.enumerated() {
            let p = path.index(i)
            let name = mount.string("name")
            if name.isEmpty { errs.append(.required(p.child("name"), "")) }
            if !volumes.contains(name) { errs.append(.notFound(p.child("name"), .string(name))) }
            let mountPath = mount.string("mountPath")
            if mountPath.isEmpty { errs.append(.required(p.child("mountPath"), "")) }
            if mountPoints.contains(mountPath) {
                errs.append(.invalid(p.child("mountPath"), mountPath, "must be unique"))
            }
            mountPoints.insert(mountPath)
            let subPath = mount.string("subPath")
            if !subPath.isEmpty { errs += localDescendingPath(subPath, path.child("subPath")) }
            let subPathExpr = mount.string("subPathExpr")
            if !subPathExpr.isEmpty {
                if !subPath.isEmpty {
                    errs.append(.invalid(p.child("subPathExpr"), subPathExpr, "subPathExpr and subPath are mutually exclusive"))
                }
                errs += localDescendingPath(subPathExpr, path.child("subPathExpr"))
            }
            if let propagation = mount["mountPropagation"], propagation != .null {
                errs += FieldValidation.enumValue(propagation, ["Bidirectional", "HostToContainer", "None"],
                                                  path.child("mountPropagation"))
            }
        }
        return errs
    }

    /// Upstream validateLocalDescendingPath: relative, without `..` elements.
    static func localDescendingPath(_ target: String, _ path: FieldPath) -> [FieldError] {
        var errs: [FieldError] = []
        if target.hasPrefix("/") {
            errs.append(.invalid(path, target, "must be a relative path"))
        }
        let parts = target.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") {
            errs.append(.invalid(path, target, "must not contain '..'"))
        }
        return errs
    }
}
