import CZlib

/// SPDY/3 compresses every header block of one direction of a session as one zlib stream primed
/// with `SPDYDictionary`, each block ending with a sync flush (draft 3, section 2.6.10.1). So a
/// session keeps one compressor for what it sends and one decompressor for what it receives, for
/// its whole life; blocks cannot be (de)compressed on their own.
public enum SPDYCompressionError: Error, Equatable, Sendable {
    case zlib(String)
}

/// The compressor of the header blocks a session sends.
public final class SPDYHeaderCompressor {
    private var stream = z_stream()

    public init() {
        let level = Z_BEST_COMPRESSION
        let initialized = kubelite_deflate_init(&stream, level) == Z_OK
        precondition(initialized, "zlib deflateInit failed")
        _ = SPDYDictionary.bytes.withUnsafeBufferPointer { deflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
    }

    deinit { deflateEnd(&stream) }

    /// One header block, compressed and sync-flushed so the peer can decode it at once.
    public func compress(_ block: [UInt8]) -> [UInt8] {
        var input = block
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    _ = deflate(&stream, Z_SYNC_FLUSH)
                    output += outBuffer[0..<(outBuffer.count - Int(stream.avail_out))]
                }
            } while stream.avail_out == 0
            stream.next_in = nil
        }
        return output
    }
}

/// The decompressor of the header blocks a session receives.
public final class SPDYHeaderDecompressor {
    private var stream = z_stream()

    public init() {
        let initialized = kubelite_inflate_init(&stream) == Z_OK
        precondition(initialized, "zlib inflateInit failed")
    }

    deinit { inflateEnd(&stream) }

    /// The header block carried by one frame's compressed bytes. Blocks larger than `limit`
    /// decompressed are refused (a small frame must not make the server allocate without bound).
    public func decompress(_ compressed: [UInt8], limit: Int = 1 << 20) throws(SPDYCompressionError) -> [UInt8] {
        var input = compressed
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var failure: SPDYCompressionError?
        input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            defer { stream.next_in = nil }
            while true {
                var result: Int32 = Z_OK
                chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    result = inflate(&stream, Z_SYNC_FLUSH)
                    output += outBuffer[0..<(outBuffer.count - Int(stream.avail_out))]
                }
                if result == Z_NEED_DICT {
                    let set = SPDYDictionary.bytes.withUnsafeBufferPointer { inflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
                    if set != Z_OK { failure = .zlib("the header block's dictionary is not SPDY/3's"); return }
                    continue
                }
                if result == Z_BUF_ERROR, stream.avail_in == 0 { return }
                if result != Z_OK, result != Z_STREAM_END {
                    failure = .zlib(stream.msg.map { String(cString: $0) } ?? "inflate failed (\(result))")
                    return
                }
                if output.count > limit { failure = .zlib("header block larger than \(limit) bytes"); return }
                if stream.avail_in == 0, stream.avail_out != 0 { return }
            }
        }
        if let failure { throw failure }
        return output
    }
}
