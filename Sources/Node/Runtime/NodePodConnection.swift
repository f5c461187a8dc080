import APIMachinery
import Foundation
import Registry

/// The node's side of `pods/exec`, `pods/attach` and `pods/log` (the kubelet's streaming server):
/// finds the pod and container with upstream's errors, then runs the command in the pod's
/// namespaces or reads the container's CRI log. A simulated pod has no processes: exec and attach
/// answer a Status that says so, and its log is one line that says so.
public final class NodePodConnection: PodConnection {
    let runtime: ProcessPodRuntime?
    let pods: ResourceStore

    public init(runtime: ProcessPodRuntime?, registry: Registry) {
        self.runtime = runtime
        self.pods = registry.store(group: "", plural: "pods")!
    }

    static let podsResource = GroupResource(group: "", resource: "pods")
    static let defaultContainerAnnotation = "kubectl.kubernetes.io/default-container"

    /// The pod and the container a request names, or upstream's error.
    func resolve(namespace: String, pod name: String, container: String?) throws(APIError) -> (pod: JSON, container: String) {
        let pod: JSON
        do { pod = try pods.get(namespace: namespace, name: name).object } catch { throw error }
        let mains = KubeletPodStatus.containers(pod).map(KubeletPodStatus.name)
        let inits = KubeletPodStatus.initContainers(pod).map(KubeletPodStatus.name)
        guard let container = container ?? pod.meta.annotation(Self.defaultContainerAnnotation) ?? (mains.count == 1 ? mains[0] : nil) else {
            var message = "a container name must be specified for pod \(name), choose one of: [\(mains.joined(separator: " "))]"
            if !inits.isEmpty { message += " or one of the init containers: [\(inits.joined(separator: " "))]" }
            throw APIError.badRequest(message)
        }
        guard mains.contains(container) || inits.contains(container) else {
            throw APIError.badRequest("container \(container) is not valid for pod \(name)")
        }
        return (pod, container)
    }

    /// The runtime's record of a pod that runs as processes, nil for a simulated pod.
    func processPod(_ pod: JSON) -> ProcessPod? {
        runtime?.snapshot(uid: pod.meta.uid)
    }

    static func simulatedMessage(_ pod: JSON) -> String {
        "pod \(pod.meta.name) is simulated by Kubelite: it has no processes to run a command in or attach to"
    }

    public func checkStreamable(namespace: String, pod name: String, options: PodExecOptions, attach: Bool) throws(APIError) {
        let (pod, container) = try resolve(namespace: namespace, pod: name, container: options.container)
        _ = try runningContainer(pod, container, attach: attach)
    }

    /// The container a stream goes to, or the Status the kubelet refuses it with.
    func runningContainer(_ pod: JSON, _ container: String, attach: Bool) throws(APIError) -> (record: ProcessPod, container: ProcessPod.ContainerRecord) {
        let phase = PodView(pod).phase ?? "Pending"
        if !attach, phase == "Succeeded" || phase == "Failed" {
            throw APIError.badRequest("cannot exec into a container in a completed pod; current phase is \(phase)")
        }
        guard let record = processPod(pod) else { throw APIError.badRequest(Self.simulatedMessage(pod)) }
        guard let c = record.containers[container], c.running else {
            throw APIError.badRequest("container not found (\"\(container)\")")
        }
        return (record, c)
    }

    public func exec(namespace: String, pod name: String, options: PodExecOptions) throws(APIError) -> any ContainerStreamSession {
        let (pod, container) = try resolve(namespace: namespace, pod: name, container: options.container)
        let (_, c) = try runningContainer(pod, container, attach: false)
        guard let launch = c.launch, let pid = Self.mainPID(c.instance) else {
            throw APIError.badRequest("container not found (\"\(container)\")")
        }
        return ExecSession(pid: pid, launch: launch, options: options)
    }

    /// A just-started container's PID 1 appears a moment after its start (two forks); exec waits for it.
    static func mainPID(_ instance: (any RunningContainer)?) -> pid_t? {
        guard let instance else { return nil }
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            if let pid = instance.pid { return pid }
            usleep(2000)
        }
        return nil
    }

    public func attach(namespace: String, pod name: String, options: PodExecOptions) throws(APIError) -> any ContainerStreamSession {
        let (pod, container) = try resolve(namespace: namespace, pod: name, container: options.container)
        let (record, c) = try runningContainer(pod, container, attach: true)
        guard let runtime else { throw APIError.badRequest(Self.simulatedMessage(pod)) }
        // The output as the log receives it; input only when both the request and the container ask for it.
        let path = record.logPath(container: container, restartCount: c.restartCount)
        let reader = ContainerLogReader(path: path, options: PodLogOptions(follow: true, tailLines: 0),
                                        running: { runtime.isRunning(uid: record.uid, container: container, restartCount: c.restartCount) })
        return AttachSession(reader: reader, container: c.instance, input: options.stdin && c.launch?.stdin == true,
                             stdinOnce: c.launch?.stdinOnce == true)
    }

    public func logs(namespace: String, pod name: String, options: PodLogOptions) throws(APIError) -> any PodLogStream {
        let (pod, container) = try resolve(namespace: namespace, pod: name, container: options.container)
        guard let runtime, let record = processPod(pod) else {
            return StaticLogStream(text: "Pod \(namespace)/\(name) is simulated by Kubelite: its containers run no processes, so they write no log.\n")
        }
        guard let c = record.containers[container], c.started else {
            let reason = record.containers[container]?.waiting?.reason ?? (KubeletPodStatus.initContainers(pod).isEmpty ? "ContainerCreating" : "PodInitializing")
            throw APIError.badRequest("container \"\(container)\" in pod \"\(name)\" is waiting to start: \(reason)")
        }
        if options.previous, c.restartCount == 0 {
            throw APIError.badRequest("previous terminated container \"\(container)\" in pod \"\(name)\" not found")
        }
        let restartCount = options.previous ? c.restartCount - 1 : c.restartCount
        let path = record.logPath(container: container, restartCount: restartCount)
        let uid = record.uid
        return ContainerLogReader(path: path, options: options, running: {
            !options.previous && runtime.isRunning(uid: uid, container: container, restartCount: restartCount)
        })
    }
}

/// A log that is a fixed text (a simulated pod's).
final class StaticLogStream: PodLogStream {
    let text: String
    init(text: String) { self.text = text }
    func start(chunk: @escaping @Sendable ([UInt8]) -> Bool, end: @escaping @Sendable () -> Void) {
        _ = chunk(Array(text.utf8))
        end()
    }
    func cancel() {}
}
