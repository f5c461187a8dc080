import Foundation
import Synchronization

/// What an application does with the streams of a SPDY session. Calls come from the thread feeding
/// the session (`receive`), in the order of the frames.
public protocol SPDYSessionDelegate: AnyObject, Sendable {
    /// The peer asks for a stream: nil accepts it, a reason refuses it with RST_STREAM and no
    /// reply, as Kubernetes' spdy connection rejects a stream its handler refuses.
    func streamRefusal(_ session: SPDYServerSession, id: UInt32, headers: SPDYHeaderBlock) -> String?
    /// An accepted stream, once its SYN_REPLY is sent (so data written on it follows the reply).
    func streamOpened(_ session: SPDYServerSession, id: UInt32, headers: SPDYHeaderBlock)
    func streamData(_ session: SPDYServerSession, id: UInt32, payload: [UInt8])
    /// The peer's half of the stream ended (FLAG_FIN).
    func streamFinished(_ session: SPDYServerSession, id: UInt32)
    /// The peer reset the stream.
    func streamReset(_ session: SPDYServerSession, id: UInt32)
}

/// The server side of a SPDY/3 session as moby/spdystream speaks it (Kubernetes' port-forward and
/// the SPDY fallback of exec): the client opens streams with odd ids, the server replies to each;
/// PINGs from the client are echoed; no flow control (spdystream neither sends nor honours
/// WINDOW_UPDATE). The transport is whatever carries the bytes (a WebSocket tunnel or an upgraded
/// socket): `sendFrame` writes one frame, its head then (DATA only) its payload, may be called from
/// several threads at once, keeps each caller's frames in their order, and may block while the
/// peer is slow.
public final class SPDYServerSession: @unchecked Sendable {
    private let sendFrame: @Sendable (_ head: [UInt8], _ payload: ArraySlice<UInt8>) -> Void
    private weak var delegate: (any SPDYSessionDelegate)?
    private var parser = SPDYFrameParser()
    /// Receive-side state: only the feeding thread touches it.
    private let decompressor = SPDYHeaderDecompressor()
    private var lastPeerStreamID: UInt32 = 0
    /// Write-side state: the compressor's stream must go out in the order it was fed.
    private let writeLock = NSLock()
    private let compressor = SPDYHeaderCompressor()
    /// Read without the lock by DATA frames, which need no ordering across streams.
    private let goneAway = Atomic(false)
    /// DATA frames are cut to this size so one stream cannot hold the connection for long.
    static let dataChunk = 32 << 10

    public init(delegate: any SPDYSessionDelegate, sendFrame: @escaping @Sendable (_ head: [UInt8], _ payload: ArraySlice<UInt8>) -> Void) {
        self.delegate = delegate; self.sendFrame = sendFrame
    }

    /// A transport that takes each frame whole.
    public convenience init(delegate: any SPDYSessionDelegate, send: @escaping @Sendable ([UInt8]) -> Void) {
        self.init(delegate: delegate, sendFrame: { head, payload in send(payload.isEmpty ? head : head + payload) })
    }

    /// Feeds bytes from the transport. A protocol violation answers GOAWAY (PROTOCOL_ERROR) and is
    /// thrown: the caller ends the transport. Returns false once the peer said GOAWAY.
    @discardableResult
    public func receive<C: Collection>(_ bytes: C) throws(SPDYViolation) -> Bool where C.Element == UInt8 {
        parser.append(bytes)
        do {
            while let frame = try parser.next() {
                if !(try handle(frame)) { return false }
            }
        } catch {
            goAway(status: 1)
            throw error
        }
        return true
    }

    private func handle(_ frame: SPDYFrame) throws(SPDYViolation) -> Bool {
        switch frame {
        case .synStream(let id, _, _, let flags, let block):
            // The block is decompressed even for a refused stream: the zlib stream spans them all.
            let headers: SPDYHeaderBlock
            do { headers = try SPDYHeaderBlock.decode(try decompressor.decompress(block)) } catch let error as SPDYViolation {
                throw error
            } catch {
                throw SPDYViolation("header block: \(error)")
            }
            // spdystream's validateStreamId: client streams are odd and increasing.
            guard id & 1 == 1, id > lastPeerStreamID else {
                write(.rstStream(streamID: id, status: SPDYFrame.ResetStatus.protocolError.rawValue))
                return true
            }
            lastPeerStreamID = id
            if delegate?.streamRefusal(self, id: id, headers: headers) != nil {
                reset(id, status: .cancel)
                return true
            }
            write(.synReply(streamID: id, flags: 0, headerBlock: []), compressing: SPDYHeaderBlock())
            delegate?.streamOpened(self, id: id, headers: headers)
            if flags & SPDYFrame.flagFin != 0 { delegate?.streamFinished(self, id: id) }
        case .data(let id, let flags, let payload):
            if !payload.isEmpty { delegate?.streamData(self, id: id, payload: payload) }
            if flags & SPDYFrame.flagFin != 0 { delegate?.streamFinished(self, id: id) }
        case .headers(let id, let flags, let block):
            _ = try? decompressor.decompress(block)
            if flags & SPDYFrame.flagFin != 0 { delegate?.streamFinished(self, id: id) }
        case .rstStream(let id, _):
            delegate?.streamReset(self, id: id)
        case .ping(let id):
            // Odd ids are the client's pings, to be echoed; even ones would answer ours (we send none).
            if id & 1 == 1 { write(.ping(id: id)) }
        case .goAway:
            return false
        case .synReply(let id, _, let block):
            _ = try? decompressor.decompress(block)
            write(.rstStream(streamID: id, status: SPDYFrame.ResetStatus.protocolError.rawValue))
        case .settings, .windowUpdate:
            break
        }
        return true
    }

    /// Sends `payload` on stream `id`, cut into DATA frames; `fin` ends our half of the stream.
    /// DATA frames skip the write lock (it orders the header compressor's output): frames of one
    /// stream come from one thread in order, and the transport keeps each caller's order.
    public func sendData(_ id: UInt32, _ payload: ArraySlice<UInt8>, fin: Bool = false) {
        guard !goneAway.load(ordering: .acquiring) else { return }
        var offset = payload.startIndex
        repeat {
            let end = min(payload.endIndex, offset + Self.dataChunk)
            let flags = end == payload.endIndex && fin ? SPDYFrame.flagFin : 0
            sendFrame(SPDYFrame.dataHeader(streamID: id, flags: flags, length: end - offset), payload[offset..<end])
            offset = end
        } while offset < payload.endIndex
    }

    public func sendData(_ id: UInt32, _ payload: [UInt8], fin: Bool = false) { sendData(id, payload[...], fin: fin) }

    /// Ends our half of stream `id` (an empty DATA frame with FLAG_FIN, as spdystream's Close).
    public func finish(_ id: UInt32) { sendData(id, [], fin: true) }

    public func reset(_ id: UInt32, status: SPDYFrame.ResetStatus) { write(.rstStream(streamID: id, status: status.rawValue)) }

    /// Says no more streams are accepted; later writes are dropped.
    public func goAway(status: UInt32 = 0) {
        writeLock.lock(); defer { writeLock.unlock() }
        guard !goneAway.load(ordering: .acquiring) else { return }
        sendFrame(SPDYFrame.goAway(lastGoodStreamID: lastPeerStreamID, status: status).encoded(), [])
        goneAway.store(true, ordering: .releasing)
    }

    private func write(_ frame: SPDYFrame, compressing block: SPDYHeaderBlock? = nil) {
        writeLock.lock(); defer { writeLock.unlock() }
        guard !goneAway.load(ordering: .acquiring) else { return }
        guard let block, case .synReply(let id, let flags, _) = frame else {
            sendFrame(frame.encoded(), [])
            return
        }
        sendFrame(SPDYFrame.synReply(streamID: id, flags: flags, headerBlock: compressor.compress(block.encoded())).encoded(), [])
    }
}
