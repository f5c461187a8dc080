import CMicroHTTPD
import Foundation

/// Per-request state libmicrohttpd keeps for us in `*con_cls` between access-handler calls.
final class RequestContext {
    var body: [UInt8] = []
    var bodyTooLarge = false
    /// Every header line as received (duplicates included), read once on the first call.
    var headers: [(name: String, value: String)] = []
    /// Set while the handler's answer is deferred: the connection is suspended until it completes,
    /// and the access handler's next call queues the completed response.
    var deferred: DeferredResponse?
}

extension MicroHTTPServer {
    /// The access handler. Callbacks capture nothing: the server is recovered from the opaque `cls`.
    static let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, version, uploadData, uploadDataSize, conCls in
        guard let cls, let connection, let conCls, let uploadDataSize else { return MHD_Result.NO }
        let server = Unmanaged<MicroHTTPServer>.fromOpaque(cls).takeUnretainedValue()
        guard let existing = conCls.pointee else {
            // First call: headers only. Set up state and answer on a later call (keep-alive needs this),
            // unless the head must be refused before any of its body is read.
            server.headDeadline?.forget(connection)
            let context = RequestContext()
            conCls.pointee = Unmanaged.passRetained(context).toOpaque()
            context.headers = server.values(of: MHD_ValueKind.HEADER_KIND, on: connection)
            let framing = RequestFraming(maxHeaderBytes: server.configuration.maxHeaderBytes, maxBodyBytes: server.configuration.maxBodyBytes)
            if let refusal = framing.violation(headers: context.headers, version: version.map { String(cString: $0) } ?? "") {
                return server.queue(refusal, on: connection)
            }
            return MHD_Result.YES
        }
        let context = Unmanaged<RequestContext>.fromOpaque(existing).takeUnretainedValue()
        let size = uploadDataSize.pointee
        if size > 0 {
            if !context.bodyTooLarge, let uploadData {
                if context.body.count + size > server.configuration.maxBodyBytes {
                    context.bodyTooLarge = true
                    context.body = []  // keep reading (and discarding) so the 413 reaches the client
                } else {
                    uploadData.withMemoryRebound(to: UInt8.self, capacity: size) { p in
                        context.body.append(contentsOf: UnsafeBufferPointer(start: p, count: size))
                    }
                }
            }
            uploadDataSize.pointee = 0
            return MHD_Result.YES
        }
        if let deferred = context.deferred {
            // Resumed: the deferred response completed, or the server is stopping.
            return server.queue(deferred.completedResponse ?? HTTPServerErrors.shuttingDown, on: connection)
        }
        let request = server.makeRequest(connection: connection, url: url, method: method, context: context)
        let response: HTTPResponse
        if context.bodyTooLarge {
            response = HTTPServerErrors.requestEntityTooLarge(limit: server.configuration.maxBodyBytes)
        } else {
            response = server.handler.handle(request)
        }
        if case .deferred(let deferred) = response.body {
            return server.suspend(connection, until: deferred, context: context)
        }
        return server.queue(response, on: connection)
    }

    static let requestCompleted: MHD_RequestCompletedCallback = { cls, _, conCls, _ in
        guard let conCls, let existing = conCls.pointee else { return }
        let context = Unmanaged<RequestContext>.fromOpaque(existing).takeRetainedValue()
        conCls.pointee = nil
        if let deferred = context.deferred, let cls {
            deferred.detach()
            Unmanaged<MicroHTTPServer>.fromOpaque(cls).takeUnretainedValue().unregister(deferred)
        }
    }

    /// Parks the request until `deferred` completes: the connection is suspended, so no thread waits.
    /// A completion that raced ahead of the suspend is answered at once.
    func suspend(_ connection: OpaquePointer, until deferred: DeferredResponse, context: RequestContext) -> MHD_Result {
        guard register(deferred) else {
            return queue(HTTPServerErrors.shuttingDown, on: connection)
        }
        context.deferred = deferred
        if let response = deferred.suspendUnlessCompleted(connection) {
            return queue(response, on: connection)
        }
        return MHD_Result.YES
    }

    /// Every value of one kind (headers, query arguments) in order, duplicates included. Read with
    /// their lengths, not as C strings: a percent-decoded query value may hold a NUL (`a%3Db%00c`),
    /// and cutting it there would hand the API server a different, valid value (`a=b`).
    func values(of kind: MHD_ValueKind, on connection: OpaquePointer) -> [(name: String, value: String)] {
        final class Pairs { var items: [(name: String, value: String)] = [] }
        let pairs = Pairs()
        let collect: MHD_KeyValueIteratorN = { cls, _, key, keySize, value, valueSize in
            guard let cls, let key else { return MHD_Result.YES }
            let pairs = Unmanaged<Pairs>.fromOpaque(cls).takeUnretainedValue()
            let name = String(decoding: UnsafeRawBufferPointer(start: key, count: keySize), as: UTF8.self)
            let text = value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valueSize), as: UTF8.self) }
            pairs.items.append((name, text ?? ""))
            return MHD_Result.YES
        }
        withExtendedLifetime(pairs) {
            _ = MHD_get_connection_values_n(connection, kind, collect, Unmanaged.passUnretained(pairs).toOpaque())
        }
        return pairs.items
    }

    func makeRequest(connection: OpaquePointer, url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?, context: RequestContext) -> HTTPRequest {
        var request = HTTPRequest(method: method.map { String(cString: $0) } ?? "GET",
                                  path: url.map { String(cString: $0) } ?? "/",
                                  query: values(of: MHD_ValueKind.GET_ARGUMENT_KIND, on: connection), headers: context.headers,
                                  remoteAddress: ClientAddress.describe(kubelite_connection_client_address(connection)))
        request.body = context.body
        if configuration.tls != nil { request.peerCertificates = peerCertificates(of: connection) }
        // Moved out: the context lives as long as the request, which for a watch is hours.
        context.body = []
        context.headers = []
        return request
    }

    /// The client's TLS certificate chain as DER, copied out of the GnuTLS session.
    func peerCertificates(of connection: OpaquePointer) -> [[UInt8]] {
        var list: UnsafePointer<gnutls_datum_t>?
        let count = Int(kubelite_connection_peer_certificates(connection, &list))
        guard let list, count > 0 else { return [] }
        return (0..<count).map { index in
            let datum = list[index]
            guard let data = datum.data else { return [] }
            return Array(UnsafeBufferPointer(start: data, count: Int(datum.size)))
        }
    }

    func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        let mhdResponse: OpaquePointer?
        switch response.body {
        case .bytes(let bytes):
            mhdResponse = bytes.withUnsafeBytes { raw in
                MHD_create_response_from_buffer(raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress), MHD_ResponseMemoryMode.RESPMEM_MUST_COPY)
            }
        case .stream(let stream):
            let context = StreamContext(server: self, connection: connection, stream: stream)
            guard register(context) else {
                stream.close()
                return queue(HTTPServerErrors.shuttingDown, on: connection)
            }
            mhdResponse = context.makeResponse()
        case .upgrade(let upgrade):
            mhdResponse = makeUpgradeResponse(upgrade)
        case .deferred:
            // A completion must be a final answer; deferring again is a handler bug.
            return queue(HTTPServerErrors.status(code: 500, reason: "InternalError",
                                                 message: "a deferred response completed with another deferred response"), on: connection)
        }
        guard let mhdResponse else { return MHD_Result.NO }
        for (name, value) in response.headers {
            _ = MHD_add_response_header(mhdResponse, name, value)
        }
        let result = MHD_queue_response(connection, UInt32(response.status), mhdResponse)
        MHD_destroy_response(mhdResponse)
        return result
    }
}

/// Ties a `ResponseStream` to its connection: reads chunks for libmicrohttpd and suspends the
/// connection while the stream is empty, so an idle watch holds no thread and burns no CPU.
final class StreamContext: HangupObserver, @unchecked Sendable {
    private let lock = NSLock()
    private weak var server: MicroHTTPServer?
    private let connection: OpaquePointer
    let stream: ResponseStream
    private var suspended = false
    private var wakePending = false
    private var finished = false
    /// The client hung up while the connection was suspended: the next read ends the response with
    /// an error, so libmicrohttpd closes the connection at once.
    private var clientGone = false
    /// The hangup monitor's registration while suspended.
    private var hangupToken: UInt64?
    private var pendingBytes: [UInt8] = []
    private var pendingOffset = 0

    init(server: MicroHTTPServer, connection: OpaquePointer, stream: ResponseStream) {
        self.server = server
        self.connection = connection
        self.stream = stream
    }

    static let blockSize = 256

    func makeResponse() -> OpaquePointer? {
        stream.attach(wake: { [weak self] in self?.wake() })
        let me = Unmanaged.passRetained(self).toOpaque()
        // libmicrohttpd callocs `blockSize` bytes per response but fills chunked (HTTP/1.1) streams from
        // the connection's own pool; the block only serves HTTP/1.0 clients. Kept small because every
        // idle watch holds one.
        return MHD_create_response_from_callback(UInt64.max, Self.blockSize, StreamContext.reader, me, StreamContext.free)
    }

    /// Data is available (or the stream ended): resume the connection if it sleeps.
    func wake() {
        lock.lock(); defer { lock.unlock() }
        if suspended {
            resumeLocked()
        } else {
            wakePending = true
        }
    }

    /// Server stop: end the stream and make sure the connection is not left suspended.
    func shutdown() {
        stream.close()
        lock.lock(); defer { lock.unlock() }
        finished = true
        if suspended { resumeLocked() }
    }

    /// The monitor saw the client hang up (it has already stopped watching the socket).
    func clientHungUp() {
        lock.lock(); defer { lock.unlock() }
        hangupToken = nil
        clientGone = true
        if suspended { resumeLocked() }
    }

    private func resumeLocked() {
        suspended = false
        MHD_resume_connection(connection)
    }

    /// The socket is watched for a hangup from the first suspension to the end of the stream, not
    /// per suspension: two epoll changes per event on each of 10,000 watches would slow the fan-out.
    /// A hangup seen while the connection is active only ends the stream at its next read.
    private func suspendLocked() {
        suspended = true
        MHD_suspend_connection(connection)
        if hangupToken == nil, !clientGone, let monitor = server?.hangupMonitor {
            let socket = kubelite_connection_socket(connection)
            if socket >= 0 { hangupToken = monitor.watch(socket, observer: self) }
        }
    }

    /// The stream is over (libmicrohttpd frees the response before it closes the socket, so the
    /// descriptor is still this connection's).
    fileprivate func stopWatchingForHangup() {
        lock.lock(); defer { lock.unlock() }
        if let hangupToken {
            server?.hangupMonitor?.unwatch(hangupToken)
            self.hangupToken = nil
        }
    }

    fileprivate func fill(_ buffer: UnsafeMutablePointer<CChar>, max: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        if clientGone { return -2 }  // MHD_CONTENT_READER_END_WITH_ERROR: close, nothing more to send
        if pendingOffset >= pendingBytes.count, !finished {
            switch stream.read(max: max) {
            case .data(let bytes): pendingBytes = bytes; pendingOffset = 0
            case .end: finished = true
            case .pending:
                if wakePending {
                    wakePending = false
                    return 0
                }
                // Suspend while holding our lock so a concurrent wake() cannot resume first.
                suspendLocked()
                return 0
            }
        }
        if pendingOffset < pendingBytes.count {
            let n = min(max, pendingBytes.count - pendingOffset)
            pendingBytes.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + pendingOffset, byteCount: n)
            }
            pendingOffset += n
            return n
        }
        return -1  // MHD_CONTENT_READER_END_OF_STREAM
    }

    static let reader: MHD_ContentReaderCallback = { cls, _, buffer, max in
        guard let cls, let buffer else { return -1 }
        let context = Unmanaged<StreamContext>.fromOpaque(cls).takeUnretainedValue()
        return context.fill(buffer, max: max)
    }

    static let free: MHD_ContentReaderFreeCallback = { cls in
        guard let cls else { return }
        let context = Unmanaged<StreamContext>.fromOpaque(cls).takeRetainedValue()
        context.stopWatchingForHangup()
        context.stream.close()
        context.server?.unregister(context)
    }
}
