import APIMachinery
import Foundation
import Registry

/// The fake node's ports: `port` maps a pod port to a server on the host's loopback (an
/// `EchoServer`); any other port is refused as containerd refuses it. The pod named `simulated`
/// refuses port-forward as the node refuses a simulated pod.
struct FakePortForwarder: PodPortForwarder {
    let podSandboxID: String
    let ports: [UInt16: UInt16]

    func dial(port: UInt16) throws(PortForwardFailure) -> Int32 {
        guard let local = ports[port] else {
            throw PortForwardFailure("failed to connect to localhost:\(port) inside namespace \"\(podSandboxID)\": connect: connection refused")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = local.bigEndian
        address.sin_addr.s_addr = in_addr_t(INADDR_LOOPBACK).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw PortForwardFailure("connect: connection refused") }
        return fd
    }
}

extension FakePodConnection {
    func portForwarder(namespace: String, pod: String) throws(APIError) -> any PodPortForwarder {
        if pod == "simulated" { throw Self.simulatedStatus }
        return FakePortForwarder(podSandboxID: "sandbox-\(pod)", ports: forwardedPorts)
    }
}

/// A TCP server on 127.0.0.1 that echoes what each connection sends, upper-cased, and closes a
/// connection once its client half-closes (so a test sees the end travel both ways).
final class EchoServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(INADDR_LOOPBACK).bigEndian
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(listener, 64)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = UInt16(bigEndian: address.sin_port)
        let fd = listener
        Thread.detachNewThread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                Thread.detachNewThread { EchoServer.serve(client) }
            }
        }
    }

    private static func serve(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            let upper = buffer[0..<n].map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 32 : $0 }
            _ = upper.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        close(fd)
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
}
