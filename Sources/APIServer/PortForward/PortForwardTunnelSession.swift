import APIMachinery
import Foundation
import HTTPServer
import Registry
import Synchronization

/// `pods/portforward` as kubectl 1.32 speaks it: a WebSocket (`SPDY/3.1+portforward.k8s.io`) whose
/// binary messages carry a SPDY/3 session, served as the kubelet's httpstream.go serves the
/// session. Each forwarded connection is a pair of client streams sharing a `requestID` header:
/// `streamType: error` (the server writes a failure's message there) and `streamType: data`; both
/// name the `port`. Once both are open the pod's port is dialled and bytes are copied; at the end
/// both streams are finished, which ends the client's local connection.
final class PortForwardTunnelSession: WebSocketHandler, SPDYSessionDelegate {
    private let target: any PodPortForwarder
    private let state = Mutex(State())
    /// The kubelet's default: a pair whose second stream has not come by then is given up.
    static let streamCreationTimeout: TimeInterval = 30

    private struct State {
        var session: SPDYServerSession?
        var pairs: [String: Pair] = [:]
        /// Stream id → request id, for the streams of open pairs.
        var requests: [UInt32: String] = [:]
        var closed = false
    }

    private struct Pair {
        var port: UInt16 = 0
        var dataStream: UInt32?
        var errorStream: UInt32?
        var relay: PortForwardRelay?
        /// The client's data stream ended before the relay existed.
        var dataFinished = false
        var complete: Bool { dataStream != nil && errorStream != nil }
    }

    init(target: any PodPortForwarder) { self.target = target }

    private var session: SPDYServerSession? { state.withLock { $0.session } }

    func opened(_ connection: WebSocketConnection) {
        let session = SPDYServerSession(delegate: self) { head, payload in connection.send(binary: head, payload) }
        state.withLock { $0.session = session }
    }

    func received(_ connection: WebSocketConnection, binary: Bool, payload: [UInt8]) {
        guard let session else { return }
        do {
            if try !session.receive(payload) { connection.close(code: 1000) }
        } catch {
            connection.close(code: 1002, reason: error.description)
        }
    }

    func closed(_ connection: WebSocketConnection) {
        let relays = state.withLock { state -> [PortForwardRelay] in
            state.closed = true
            return state.pairs.values.compactMap(\.relay)
        }
        relays.forEach { $0.cancel() }
    }

    // MARK: SPDY streams

    /// upstream's httpStreamReceived: a valid `port` and `streamType`, or the stream is refused.
    func streamRefusal(_ session: SPDYServerSession, id: UInt32, headers: SPDYHeaderBlock) -> String? {
        guard let port = headers.value("port"), !port.isEmpty else { return "\"port\" header is required" }
        guard let number = UInt16(port) else { return "unable to parse \(FieldError.quote(port)) as a port" }
        if number < 1 { return "port \(FieldError.quote(port)) must be > 0" }
        guard let type = headers.value("streamtype"), !type.isEmpty else { return "\"streamType\" header is required" }
        guard type == "error" || type == "data" else { return "invalid stream type \(FieldError.quote(type))" }
        return nil
    }

    func streamOpened(_ session: SPDYServerSession, id: UInt32, headers: SPDYHeaderBlock) {
        let type = headers.value("streamtype") ?? ""
        let port = UInt16(headers.value("port") ?? "") ?? 0
        // Clients before request ids: the error stream's id names the pair, the data stream is 2 later.
        let requestID = headers.value("requestid").flatMap { $0.isEmpty ? nil : $0 }
            ?? String(type == "error" ? Int(id) : Int(id) - 2)
        enum Outcome { case wait(created: Bool), duplicate(errorStream: UInt32?), start(Pair) }
        let outcome = state.withLock { state -> Outcome in
            let created = state.pairs[requestID] == nil
            var pair = state.pairs[requestID] ?? Pair()
            if type == "error" {
                if pair.errorStream != nil { return .duplicate(errorStream: pair.errorStream) }
                pair.errorStream = id
            } else {
                if pair.dataStream != nil { return .duplicate(errorStream: pair.errorStream) }
                pair.dataStream = id
                pair.port = port
            }
            state.requests[id] = requestID
            state.pairs[requestID] = pair
            return pair.complete ? .start(pair) : .wait(created: created)
        }
        switch outcome {
        case .wait(let created):
            if created { monitor(requestID) }
        case .duplicate(let errorStream):
            let what = type == "error" ? "error stream already assigned" : "data stream already assigned"
            if let errorStream { session.sendData(errorStream, Array("error processing stream for request \(requestID): \(what)".utf8)) }
        case .start(let pair):
            start(requestID, pair, session: session)
        }
    }

    func streamData(_ session: SPDYServerSession, id: UInt32, payload: [UInt8]) {
        relay(for: id, dataOnly: true)?.write(payload)
    }

    func streamFinished(_ session: SPDYServerSession, id: UInt32) {
        let relay = state.withLock { state -> PortForwardRelay? in
            guard let request = state.requests[id], var pair = state.pairs[request], pair.dataStream == id else { return nil }
            pair.dataFinished = true
            state.pairs[request] = pair
            return pair.relay
        }
        relay?.clientFinished()
    }

    func streamReset(_ session: SPDYServerSession, id: UInt32) {
        relay(for: id, dataOnly: false)?.cancel()
    }

    private func relay(for stream: UInt32, dataOnly: Bool) -> PortForwardRelay? {
        state.withLock { state in
            guard let request = state.requests[stream], let pair = state.pairs[request] else { return nil }
            if dataOnly, pair.dataStream != stream { return nil }
            return pair.relay
        }
    }

    private func start(_ requestID: String, _ pair: Pair, session: SPDYServerSession) {
        guard let dataStream = pair.dataStream, let errorStream = pair.errorStream else { return }
        let target = self.target, port = pair.port
        let relay = PortForwardRelay(dial: { () throws(PortForwardFailure) in try target.dial(port: port) },
                                     output: { session.sendData(dataStream, $0) },
                                     done: { [self] failure in
            if let failure {
                session.sendData(errorStream, Array(PortForwardMessages.forwardingError(port: port, pod: target.podSandboxID, failure).utf8))
            }
            session.finish(dataStream)
            session.finish(errorStream)
            remove(requestID)
        })
        let finished = state.withLock { state -> Bool in
            state.pairs[requestID]?.relay = relay
            return state.pairs[requestID]?.dataFinished ?? false
        }
        relay.start()
        if finished { relay.clientFinished() }
    }

    private func remove(_ requestID: String) {
        state.withLock { state in
            guard let pair = state.pairs.removeValue(forKey: requestID) else { return }
            for id in [pair.dataStream, pair.errorStream].compactMap({ $0 }) { state.requests[id] = nil }
        }
    }

    /// upstream's monitorStreamPair: a pair still missing a stream after the timeout is dropped,
    /// saying so on its error stream.
    private func monitor(_ requestID: String) {
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.streamCreationTimeout) { [weak self] in
            guard let self else { return }
            let stale = self.state.withLock { state -> (SPDYServerSession?, UInt32?)? in
                guard let pair = state.pairs[requestID], !pair.complete else { return nil }
                return (state.session, pair.errorStream)
            }
            guard let (session, errorStream) = stale else { return }
            if let session, let errorStream {
                session.sendData(errorStream, Array("(conn=\(ObjectIdentifier(self).hashValue), request=\(requestID)) timed out waiting for streams".utf8))
            }
            self.remove(requestID)
        }
    }
}
