import APIMachinery
import Foundation

/// What a probe or a lifecycle hook does in a container, as the pod spec says it (upstream's
/// ProbeHandler and LifecycleHandler): run a command, GET a URL, open a TCP connection, ask gRPC's
/// health service, or sleep. Named ports are resolved against the container's `ports` here, once.
public enum ContainerHandler: Sendable, Equatable {
    case exec(command: [String])
    case httpGet(HTTPGet)
    case tcpSocket(host: String?, port: Int)
    case grpc(port: Int, service: String?)
    case sleep(seconds: Int)

    public struct HTTPGet: Sendable, Equatable {
        public var scheme: String
        public var host: String?
        public var port: Int
        public var path: String
        public var headers: [Header]
        /// Lifecycle hooks only fail when the request fails: upstream does not read their status code.
        public var anyStatus = false
        public struct Header: Sendable, Equatable {
            public var name: String
            public var value: String
        }
    }

    /// The spec names no handler, or a port the container does not declare; the message is what
    /// the kubelet reports when the probe errs.
    public struct SpecError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Reads the handler of a probe or hook object (`livenessProbe`, `lifecycle.preStop`, ...).
    public static func parse(_ spec: JSON, container: JSON, hook: Bool = false) throws(SpecError) -> ContainerHandler {
        if let exec = spec["exec"] {
            return .exec(command: exec["command"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
        if let http = spec["httpGet"] {
            let headers = (http["httpHeaders"]?.arrayValue ?? []).map {
                HTTPGet.Header(name: $0["name"]?.stringValue ?? "", value: $0["value"]?.stringValue ?? "")
            }
            var path = http["path"]?.stringValue ?? "/"
            if !path.hasPrefix("/") { path = "/" + path }
            return .httpGet(HTTPGet(scheme: http["scheme"]?.stringValue ?? "HTTP", host: nonEmpty(http["host"]),
                                    port: try port(http["port"], container), path: path, headers: headers, anyStatus: hook))
        }
        if let tcp = spec["tcpSocket"] {
            return .tcpSocket(host: nonEmpty(tcp["host"]), port: try port(tcp["port"], container))
        }
        if let grpc = spec["grpc"] {
            return .grpc(port: Int(grpc["port"]?.intValue ?? 0), service: nonEmpty(grpc["service"]))
        }
        if let sleep = spec["sleep"] {
            return .sleep(seconds: Int(sleep["seconds"]?.intValue ?? 0))
        }
        throw SpecError(description: hook ? "a lifecycle hook needs a handler" : "missing probe handler")
    }

    /// A port by number, or by the name of one of the container's ports (upstream's
    /// ResolveContainerPort, with its message when the name is not declared).
    static func port(_ value: JSON?, _ container: JSON) throws(SpecError) -> Int {
        if let number = value?.intValue { return Int(number) }
        guard let name = value?.stringValue else { throw SpecError(description: "port is required") }
        if let number = Int(name) { return number }
        let ports = container["ports"]?.arrayValue ?? []
        guard let declared = ports.first(where: { $0["name"]?.stringValue == name })?["containerPort"]?.intValue else {
            throw SpecError(description: "couldn't find port: \(name) in \(container["name"]?.stringValue ?? "")")
        }
        return Int(declared)
    }

    private static func nonEmpty(_ value: JSON?) -> String? {
        value?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }
}
