import APIMachinery
import Foundation

/// What a container's process is started with: the argv, environment and working directory the
/// kubelet hands the runtime after combining the pod spec with the image.
public struct ContainerLaunch: Sendable, Equatable {
    public var argv: [String]
    public var env: [String]
    public var workingDir: String
    /// The container's `stdin`, `stdinOnce` and `tty`: its standard input is kept open for attach
    /// (on a pseudo-terminal with `tty`), and with `stdinOnce` closed when the first attach ends.
    public var stdin = false
    public var stdinOnce = false
    public var tty = false

    public init(argv: [String], env: [String], workingDir: String, stdin: Bool = false, stdinOnce: Bool = false, tty: Bool = false) {
        self.argv = argv; self.env = env; self.workingDir = workingDir
        self.stdin = stdin; self.stdinOnce = stdinOnce; self.tty = tty
    }

    /// The container cannot be configured (a referenced ConfigMap or Secret is missing, the image
    /// runs nothing): the kubelet's `CreateContainerConfigError` with this message.
    public struct ConfigError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Where the runtime looks up ConfigMaps and Secrets for `valueFrom` and `envFrom`: the object's
    /// `data` as strings (Secrets' base64 already decoded), nil when the object does not exist.
    public typealias DataSource = @Sendable (_ resource: String, _ namespace: String, _ name: String) -> [String: String]?

    /// The Services of a namespace, for the variables every container gets (`ServiceEnvironment`).
    public typealias ServiceSource = @Sendable (_ namespace: String) -> [JSON]

    /// The PATH an image without ENV PATH gets from Docker/containerd.
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Combines `container` with `image` as Kubernetes does: `command` replaces the ENTRYPOINT and
    /// drops the CMD, `args` replaces the CMD; `$(VAR)` in both expands from the container's
    /// environment. The environment is the runtime's defaults, the image's ENV, `envFrom`, then
    /// `env` (later wins); `workingDir` falls back to the image's, then `/`. The Services' variables
    /// come before `envFrom` and `env`, which may refer to them, as the kubelet orders them.
    public static func resolve(container: JSON, pod: JSON, hostname: String, image: ImageCatalogEntry,
                               data: DataSource, services: ServiceSource = { _ in [] }) throws(ConfigError) -> ContainerLaunch {
        var env = Environment()
        env.set("PATH", defaultPath)
        env.set("HOSTNAME", hostname)
        env.set("HOME", "/root")
        for (name, value) in image.env { env.set(name, value) }
        for (name, value) in ServiceEnvironment.variables(for: pod, services: services) { env.set(name, value) }
        try ContainerEnvironment.apply(container: container, pod: pod, data: data, to: &env)

        let command = container["command"]?.arrayValue?.compactMap(\.stringValue)
        let args = container["args"]?.arrayValue?.compactMap(\.stringValue)
        var argv: [String]
        if let command, !command.isEmpty {
            argv = command.map(env.expand) + (args ?? []).map(env.expand)
        } else if let args, !args.isEmpty {
            argv = image.entrypoint + args.map(env.expand)
        } else {
            argv = image.entrypoint + image.args
        }
        guard !argv.isEmpty else { throw ConfigError(description: "no command specified") }
        let workingDir = container["workingDir"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? image.workingDir ?? "/"
        return ContainerLaunch(argv: argv, env: env.pairs.map { "\($0.name)=\($0.value)" }, workingDir: workingDir,
                               stdin: container["stdin"]?.boolValue == true, stdinOnce: container["stdinOnce"]?.boolValue == true,
                               tty: container["tty"]?.boolValue == true)
    }

    /// Whether `program` names an executable file, on the environment's PATH when it has no `/`
    /// (the pod's mount namespace shows the host's files, so the host is asked).
    static func findExecutable(_ program: String, env: [String]) -> Bool {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) }
        let path = env.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? defaultPath
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
    }

    /// An ordered environment where a later value replaces an earlier one in place.
    struct Environment {
        private(set) var pairs: [(name: String, value: String)] = []

        mutating func set(_ name: String, _ value: String) {
            if let i = pairs.firstIndex(where: { $0.name == name }) { pairs[i].value = value } else { pairs.append((name, value)) }
        }

        func value(_ name: String) -> String? { pairs.last { $0.name == name }?.value }

        /// Kubernetes' `$(VAR)` expansion: a defined variable is replaced, an undefined reference is
        /// left as written, `$$` is an escaped `$`.
        func expand(_ input: String) -> String {
            var out = ""
            var i = input.startIndex
            while i < input.endIndex {
                let c = input[i]
                let next = input.index(after: i)
                guard c == "$", next < input.endIndex else { out.append(c); i = next; continue }
                if input[next] == "$" { out.append("$"); i = input.index(after: next); continue }
                if input[next] == "(", let close = input[next...].firstIndex(of: ")") {
                    let name = String(input[input.index(after: next)..<close])
                    if let v = value(name) { out += v } else { out += input[i...close] }
                    i = input.index(after: close)
                    continue
                }
                out.append(c)
                i = next
            }
            return out
        }
    }
}
