import APIMachinery
import Foundation
import Registry

/// The node's side of `pods/portforward`: containerd's PortForward, which dials `localhost:<port>`
/// inside the pod sandbox's network namespace (IPv4, then IPv6) and reports failures in its words.
extension NodePodConnection {
    public func portForwarder(namespace: String, pod name: String) throws(APIError) -> any PodPortForwarder {
        let pod: JSON
        do { pod = try pods.get(namespace: namespace, name: name).object } catch { throw error }
        guard runtime != nil, let record = processPod(pod) else {
            throw APIError.badRequest("pod \(name) is simulated by Kubelite: it has no network namespace to forward ports or proxy requests into")
        }
        // The kubelet finds no running pod sandbox (the CRI's `pod not found`), answered as a 500.
        guard let sandbox = record.sandbox, !record.finished, !record.terminating else {
            throw APIError.internalError("pod not found (\"\(name)_\(namespace)\")")
        }
        return SandboxPortForwarder(podSandboxID: record.uid, networkNamespacePath: sandbox.networkNamespacePath)
    }
}

/// Dials into one pod sandbox's network namespace.
struct SandboxPortForwarder: PodPortForwarder {
    let podSandboxID: String
    let networkNamespacePath: String

    func dial(port: UInt16) throws(PortForwardFailure) -> Int32 {
        let v4 = connect(family: AF_INET, port: port)
        if case .success(let fd) = v4 { return fd }
        let v6 = connect(family: AF_INET6, port: port)
        if case .success(let fd) = v6 { return fd }
        throw PortForwardFailure("failed to execute portforward in network namespace \(FieldError.quote(networkNamespacePath)): "
            + "failed to connect to localhost:\(port) inside namespace \(FieldError.quote(podSandboxID)), "
            + "IPv4: \(v4.message) IPv6 \(v6.message) ")
    }

    /// Go's `net.Dial("tcp4"|"tcp6", "localhost:<port>")` made in the pod's namespace, with its error text.
    private func connect(family: Int32, port: UInt16) -> Result<Int32, PortForwardFailure> {
        let network = family == AF_INET ? "tcp4" : "tcp6"
        let target = family == AF_INET ? "127.0.0.1:\(port)" : "[::1]:\(port)"
        let fd: Int32
        do { fd = try NetworkNamespace.socket(in: networkNamespacePath, family: family) } catch {
            return .failure(PortForwardFailure("dial \(network) \(target): \(error.description)"))
        }
        var result: Int32
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = in_addr_t(INADDR_LOOPBACK).bigEndian
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = in6addr_loopback
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            return .failure(PortForwardFailure("dial \(network) \(target): connect: \(NetworkProbe.goError(code))"))
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return .success(fd)
    }
}

extension Result where Failure == PortForwardFailure {
    fileprivate var message: String {
        if case .failure(let failure) = self { return failure.description }
        return ""
    }
}
