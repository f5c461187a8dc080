/// A response: status, headers and either a complete body or a stream written as chunks.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public enum Body: Sendable {
        case bytes([UInt8])
        /// A chunked stream (watch): libmicrohttpd pulls from it and suspends the connection while it is empty.
        case stream(ResponseStream)
        /// Answered later from another thread; the connection is suspended meanwhile (see `DeferredResponse`).
        case deferred(DeferredResponse)
        /// Status 101: the connection switches to WebSocket (see `HTTPResponse.webSocket`).
        case upgrade(WebSocketUpgrade)
    }

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status; self.headers = headers; self.body = .bytes(body)
    }

    public init(status: Int, headers: [(name: String, value: String)] = [], stream: ResponseStream) {
        self.status = status; self.headers = headers; self.body = .stream(stream)
    }

    /// A response the handler completes later; its own status and headers are unused.
    public static func deferred(_ deferred: DeferredResponse) -> HTTPResponse {
        var response = HTTPResponse(status: 0)
        response.body = .deferred(deferred)
        return response
    }

    public var bodyBytes: [UInt8] {
        if case .bytes(let b) = body { return b }
        return []
    }
}

/// The producer side of a streamed response. The server calls `read` from a libmicrohttpd thread; a stream
/// with nothing to send returns `.pending` and later calls the `wake` closure it was given, so no thread
/// waits on an idle stream.
public protocol ResponseStream: AnyObject, Sendable {
    /// Called once before the first read with a closure that resumes the connection when data arrives.
    func attach(wake: @escaping @Sendable () -> Void)
    /// Copies up to `max` bytes of pending output.
    func read(max: Int) -> StreamRead
    /// The client went away or the server is stopping.
    func close()
}

public enum StreamRead: Sendable {
    case data([UInt8])
    case pending
    case end
}

/// What the server calls for every request.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest) -> HTTPResponse
}
