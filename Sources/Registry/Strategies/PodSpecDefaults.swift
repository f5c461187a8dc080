import APIMachinery

/// Upstream's core/v1 defaults for a PodSpec and what it contains (SetDefaults_PodSpec, _Container,
/// _Probe, _HTTPGetAction, _ContainerPort, _EnvVar's field selectors, _Volume ...), shared by Pods
/// and by the pod templates of workloads.
enum PodSpecDefaults {
    /// Defaults a PodSpec. `isPod` adds what SetDefaults_Pod does on top (requests copied from
    /// limits, enableServiceLinks), which upstream does not do for templates.
    static func apply(_ spec: inout JSON, isPod: Bool) {
        spec.setDefaultString("dnsPolicy", "ClusterFirst")
        spec.setDefaultString("restartPolicy", "Always")
        spec.setDefault("securityContext", .object([:]))
        spec.setDefault("terminationGracePeriodSeconds", 30)
        spec.setDefaultString("schedulerName", "default-scheduler")
        if isPod { spec.setDefault("enableServiceLinks", true) }
        let hostNetwork = spec["hostNetwork"]?.boolValue ?? false
        for key in ["initContainers", "containers", "ephemeralContainers"] {
            spec.modifyEach(key) { container in
                applyContainer(&container, hostNetwork: hostNetwork, isPod: isPod)
            }
        }
        spec.modifyEach("volumes") { VolumeDefaults.apply(&$0) }
        if let overhead = spec["overhead"] { spec["overhead"] = ResourceListDefaults.canonical(overhead) }
    }

    static func applyContainer(_ c: inout JSON, hostNetwork: Bool, isPod: Bool) {
        if c.string("imagePullPolicy").isEmpty {
            c["imagePullPolicy"] = .string(imageTag(c.string("image")) == "latest" ? "Always" : "IfNotPresent")
        }
        c.setDefaultString("terminationMessagePath", "/dev/termination-log")
        c.setDefaultString("terminationMessagePolicy", "File")
        c.modifyEach("ports") { port in
            port.setDefaultString("protocol", "TCP")
            if hostNetwork, isPod, port["hostPort"]?.intValue ?? 0 == 0, let cp = port["containerPort"] {
                port["hostPort"] = cp
            }
        }
        c.modifyEach("env") { env in
            env.modifyObject("valueFrom") { from in
                from.modifyObject("fieldRef") { $0.setDefaultString("apiVersion", "v1") }
            }
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            c.modifyObject(probe) { applyProbe(&$0) }
        }
        c.modifyObject("lifecycle") { lifecycle in
            for hook in ["postStart", "preStop"] {
                lifecycle.modifyObject(hook) { $0.modifyObject("httpGet") { applyHTTPGet(&$0) } }
            }
        }
        c.setDefault("resources", .object([:]))
        c.modifyObject("resources") { resources in
            for key in ["limits", "requests"] {
                if let list = resources[key] { resources[key] = ResourceListDefaults.canonical(list) }
            }
            // SetDefaults_Pod: a limit without a request is also the request (pods only, not templates).
            if isPod, let limits = resources["limits"]?.objectValue, !limits.isEmpty {
                var requests = resources["requests"]?.objectValue ?? [:]
                for (name, value) in limits where requests[name] == nil { requests[name] = value }
                resources["requests"] = .object(requests)
            }
        }
    }

    static func applyProbe(_ probe: inout JSON) {
        probe.setDefaultInt("timeoutSeconds", 1)
        probe.setDefaultInt("periodSeconds", 10)
        probe.setDefaultInt("successThreshold", 1)
        probe.setDefaultInt("failureThreshold", 3)
        probe.modifyObject("httpGet") { applyHTTPGet(&$0) }
    }

    static func applyHTTPGet(_ action: inout JSON) {
        action.setDefaultString("path", "/")
        action.setDefaultString("scheme", "HTTP")
    }

    /// The tag as upstream's parsers.ParseImageName reports it: "latest" when the reference names
    /// neither a tag nor a digest, "" when it has only a digest.
    static func imageTag(_ image: String) -> String {
        var name = Substring(image)
        var hasDigest = false
        if let at = name.firstIndex(of: "@") {
            hasDigest = true
            name = name[..<at]
        }
        let lastComponent = name.split(separator: "/", omittingEmptySubsequences: false).last ?? name
        if let colon = lastComponent.lastIndex(of: ":") {
            return String(lastComponent[lastComponent.index(after: colon)...])
        }
        return hasDigest ? "" : "latest"
    }
}
