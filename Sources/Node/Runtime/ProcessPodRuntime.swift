import APIMachinery
import Foundation
import Synchronization

/// Runs pods as processes on this machine: one sandbox per pod, one process per container, logs
/// under `<root>/pods`, volumes under `<root>/volumes`. The kubelet calls `sync` whenever the pod
/// or one of its containers changes; `sync` does the next step of upstream's pod lifecycle (init
/// containers in order, then the app containers, restarts per restartPolicy with CrashLoopBackOff)
/// and says when it wants to be called again. Time comes from the caller (the injected clock).
public final class ProcessPodRuntime: Sendable {
    public let root: String
    public let catalog: ImageCatalog
    /// The start-up checks (`RuntimePreparation`); the kubelet asks before running any pod.
    public let preparation: RuntimePreparation
    let launcher: any ContainerLauncher
    /// Runs probes' and hooks' handlers.
    let handlers: any ContainerHandlerRunner
    /// The pods' network (bridge, veths); nil runs every pod with loopback only (tests).
    public let network: PodNetwork?
    /// The host's resolver configuration, for dnsPolicy Default and the search path's tail.
    let hostResolver: PodDNSFiles.ResolverConfig
    private let ownRoot = Mutex<Bool?>(nil)

    /// Whether pods get a root of their own (an overlay of the host's, see `PodSandbox.start`):
    /// where the kernel lets an overlay sit on `/`, found once. Otherwise pods share the host's
    /// filesystem under their mounts.
    var podsHaveOwnRoot: Bool {
        ownRoot.withLock { known in
            if let known { return known }
            let works = PodSandbox.overlayRootWorks(in: "\(root)/pods")
            known = works
            return works
        }
    }
    let pods = Mutex<[String: ProcessPod]>([:])
    /// Set by `stopAll`: no sandbox or container starts after Kubelite began shutting down.
    private let closed = Atomic<Bool>(false)
    private let onChange = Mutex<(@Sendable (_ namespace: String, _ name: String) -> Void)?>(nil)

    /// CrashLoopBackOff and ImagePullBackOff: 10 s doubling to 5 minutes, as the kubelet's.
    static let initialBackoff: TimeInterval = 10
    static let maxBackoff: TimeInterval = 300

    public init(root: String, catalog: ImageCatalog = .builtIn, launcher: any ContainerLauncher = ContainerProcess.Launcher(),
                preparation: RuntimePreparation = .ready, handlers: any ContainerHandlerRunner = ProcessHandlerRunner(),
                network: PodNetwork? = nil, hostResolver: PodDNSFiles.ResolverConfig = .host) {
        self.root = root
        self.catalog = catalog
        self.launcher = launcher
        self.preparation = preparation
        self.handlers = handlers
        self.network = network
        self.hostResolver = hostResolver
    }

    /// Where containers' ends are reported (the kubelet enqueues the pod).
    public func onContainerChange(_ handler: @escaping @Sendable (_ namespace: String, _ name: String) -> Void) {
        onChange.withLock { $0 = handler }
    }

    /// nil when the image can run here; otherwise the ErrImagePull message.
    public func imageProblem(_ image: String) -> String? {
        guard let entry = catalog.entry(for: image) else {
            return "Failed to pull image \"\(image)\": image \"\(image)\" is not in Kubelite's image catalog (add it with --image-catalog)"
        }
        if let program = entry.program, !ContainerLaunch.findExecutable(program, env: entry.env.map { "\($0.name)=\($0.value)" }) {
            let package = entry.package.map { " (install the Debian package \($0))" } ?? ""
            return "Failed to pull image \"\(image)\": \(program) is not installed\(package)"
        }
        return nil
    }

    /// Why the pod cannot run for real (the first image that cannot), or nil.
    public func podProblem(_ pod: JSON) -> String? {
        let all = KubeletPodStatus.initContainers(pod) + KubeletPodStatus.containers(pod)
        return all.lazy.compactMap { self.imageProblem($0["image"]?.stringValue ?? "") }.first
    }

    public func directory(namespace: String, name: String, uid: String) -> String {
        "\(root)/pods/\(namespace)_\(name)_\(uid)"
    }

    func snapshot(uid: String) -> ProcessPod? { pods.withLock { $0[uid] } }

    /// The pod record for a pod by name (exec, attach and logs find pods this way).
    func snapshot(namespace: String, name: String) -> ProcessPod? {
        pods.withLock { $0.values.first { $0.namespace == namespace && $0.name == name } }
    }

    /// Takes the pod's next lifecycle step at `now`; the date is when to call again (a backoff
    /// ending), nil when only a container's end can change anything. `address` is the pod's IP on its
    /// node's `subnet`, which its sandbox gets on the pod network.
    public func sync(pod: JSON, mounts: [PodSandbox.Mount], address: (ip: String, subnet: IPv4CIDR)? = nil, now: Date,
                     data: @escaping ContainerLaunch.DataSource,
                     services: @escaping ContainerLaunch.ServiceSource = { _ in [] }) -> Date? {
        let uid = pod.meta.uid
        let meta = (namespace: pod.meta.namespace, name: pod.meta.name)
        var record = pods.withLock { pods in
            pods[uid] ?? ProcessPod(namespace: meta.namespace, name: meta.name, uid: uid,
                                    directory: directory(namespace: meta.namespace, name: meta.name, uid: uid))
        }
        guard !record.terminating, !record.finished, !closed.load(ordering: .sequentiallyConsistent) else { return nil }
        if record.sandbox == nil {
            do {
                try FileManager.default.createDirectory(atPath: record.directory, withIntermediateDirectories: true)
                var attachment: PodNetwork.Attachment?
                var podMounts = mounts
                if let network, let address {
                    let attached = try network.attachment(address: address.ip, subnet: address.subnet)
                    attachment = attached
                    record.address = attached.address
                    podMounts = try writeNetworkFiles(pod, attachment: attached, into: &record) + mounts
                }
                record.sandbox = try launcher.startSandbox(hostname: PodDNSFiles.hostname(pod), mounts: podMounts, network: attachment,
                                                           rootDirectory: podsHaveOwnRoot ? "\(record.directory)/root" : nil, runtimeRoot: root)
            } catch {
                // Every container waits; the kubelet retries creating the sandbox.
                for c in KubeletPodStatus.initContainers(pod) + KubeletPodStatus.containers(pod) {
                    record.containers[KubeletPodStatus.name(c), default: .init()].waiting = ("ContainerCreating", "\(error)")
                }
                pods.withLock { $0[uid] = record }
                return now.addingTimeInterval(Self.initialBackoff)
            }
        }
        let lifecycle = ProcessPodLifecycle(runtime: self, pod: pod, now: now, data: data, services: services)
        // Under the lock: a container that ends at once has its end recorded after its start.
        return pods.withLock { pods in
            // Checked again under the lock: stopAll may have begun while the sandbox started.
            if closed.load(ordering: .sequentiallyConsistent) { record.sandbox?.stop(); return nil }
            let wake = lifecycle.advance(&record)
            pods[uid] = record
            return wake
        }
    }

    /// Writes the pod's /etc/hosts, /etc/resolv.conf and /etc/hostname into its directory and
    /// returns the mounts that put them in place.
    private func writeNetworkFiles(_ pod: JSON, attachment: PodNetwork.Attachment, into record: inout ProcessPod) throws -> [PodSandbox.Mount] {
        let domain = network?.clusterDomain ?? "cluster.local"
        let (resolver, missing) = PodDNSFiles.resolver(pod, clusterDNS: attachment.clusterDNS, clusterDomain: domain, host: hostResolver)
        if missing { record.events.append(("MissingClusterDNS", PodDNSFiles.missingClusterDNSMessage(pod))) }
        let files = [("etc-hosts", "/etc/hosts", PodDNSFiles.hosts(pod, address: attachment.address, clusterDomain: domain)),
                     ("resolv.conf", "/etc/resolv.conf", resolver.text),
                     ("hostname", "/etc/hostname", PodDNSFiles.hostname(pod) + "\n")]
        return try files.map { name, target, text in
            let path = "\(record.directory)/\(name)"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return PodSandbox.Mount(source: path, target: target, readOnly: false)
        }
    }

    /// Pod-level warning events the runtime raised since the last call (MissingClusterDNS); the kubelet records them.
    public func takePodEvents(uid: String) -> [(reason: String, message: String)] {
        pods.withLock { pods in
            defer { pods[uid]?.events = [] }
            return pods[uid]?.events ?? []
        }
    }

    /// Tells the kubelet the pod changed (a container ended, a probe's result turned).
    func notify(namespace: String, name: String) {
        if let handler = onChange.withLock({ $0 }) { handler(namespace, name) }
    }

    /// Records a container instance's end and tells the kubelet.
    func containerExited(uid: String, container: String, restartCount: Int, _ termination: ContainerTermination) {
        let pod = pods.withLock { pods -> (String, String)? in
            guard var p = pods[uid], var c = p.containers[container], c.restartCount == restartCount else { return nil }
            c.termination = termination
            p.containers[container] = c
            pods[uid] = p
            return (p.namespace, p.name)
        }
        if let pod { notify(namespace: pod.0, name: pod.1) }
    }

    /// Whether that instance of the container still runs (a log follower stops when it ends).
    func isRunning(uid: String, container: String, restartCount: Int) -> Bool {
        pods.withLock { pods in
            guard let c = pods[uid]?.containers[container] else { return false }
            return c.restartCount == restartCount && c.running
        }
    }

    /// Whether every container of the pod has ended (or the runtime never ran it).
    public func allExited(uid: String) -> Bool {
        pods.withLock { $0[uid]?.containers.values.allSatisfy { !$0.running } ?? true }
    }

    /// Ends the pod for good (the `kubelite.dev/phase` steering annotation): nothing restarts,
    /// every process is killed, the record and logs stay.
    public func finish(uid: String) {
        let running = pods.withLock { pods -> [any RunningContainer] in
            pods[uid]?.terminating = true
            pods[uid]?.finished = true
            return pods[uid]?.containers.values.compactMap { $0.running ? $0.instance : nil } ?? []
        }
        for c in running { c.signal(SIGKILL) }
        stopSandbox(uid: uid)
    }

    /// Ends a finished pod's sandbox; its record and logs stay until the pod is removed.
    public func stopSandbox(uid: String) {
        let sandbox = pods.withLock { pods -> PodSandbox? in
            defer { pods[uid]?.sandbox = nil }
            return pods[uid]?.sandbox
        }
        sandbox?.stop()
    }

    /// Kills what is left of the pod (SIGKILL through its sandbox), removes its directory (logs,
    /// emptyDir volumes) and forgets it. Returns the final record.
    @discardableResult
    func remove(uid: String) -> ProcessPod? {
        guard let record = pods.withLock({ pods -> ProcessPod? in
            pods[uid]?.terminating = true
            return pods[uid]
        }) else { return nil }
        for c in record.containers.values where c.running { c.instance?.signal(SIGKILL) }
        record.sandbox?.stop()
        // The sandbox's end kills the containers; their exits are recorded before the record goes.
        let deadline = Date().addingTimeInterval(5)
        while !allExited(uid: uid), Date() < deadline { usleep(1000) }
        let final = pods.withLock { $0.removeValue(forKey: uid) }
        try? FileManager.default.removeItem(atPath: record.directory)
        return final
    }

    /// Ends every pod (Kubelite's shutdown): every process is killed first and then all are waited
    /// for together, so shutdown takes as long as the slowest pod, not the sum of them (a pod at a
    /// time, 300 pods took minutes). Whatever still carries this runtime's marker afterwards (a
    /// container that was starting meanwhile) is killed by the marker.
    public func stopAll() {
        closed.store(true, ordering: .sequentiallyConsistent)
        let records = pods.withLock { pods -> [ProcessPod] in
            for uid in pods.keys { pods[uid]?.terminating = true }
            return Array(pods.values)
        }
        for record in records {
            for c in record.containers.values where c.running { c.instance?.signal(SIGKILL) }
            record.sandbox?.signalStop()
        }
        let deadline = Date().addingTimeInterval(5)
        while records.contains(where: { !allExited(uid: $0.uid) }), Date() < deadline { usleep(1000) }
        removeLeftovers()
        network?.tearDown()
        pods.withLock { $0.removeAll() }
    }

    /// Kills processes a previous run under the same root left behind (a crash, SIGKILL), removes
    /// their pod directories and its pod network's bridge; returns how many processes were ended.
    @discardableResult
    public func removeLeftovers() -> Int {
        let leftovers = ProcFS.processes(withEnvironment: PodSandbox.markerVariable, value: root)
        for pid in leftovers { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: "\(root)/pods")
        // The pods' veths went with their namespaces; the bridge stays until removed.
        PodNetwork.removeLeftover(runtimeRoot: root)
        return leftovers.count
    }
}
