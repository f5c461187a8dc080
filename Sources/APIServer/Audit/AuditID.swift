import Synchronization

/// Audit IDs: random (version 4) UUIDs in their lowercase text form, as upstream's uuid.New().
/// Every request gets one, so they come from xoshiro256** seeded from the system's generator rather
/// than from Foundation's UUID (a system call and formatting, several microseconds a request). They
/// name requests; nothing relies on them being unpredictable.
enum AuditID {
    private static let state = Mutex(Xoshiro256())

    static func next() -> String {
        let (high, low) = state.withLock { generator in (generator.next(), generator.next()) }
        // Version 4 and the RFC 4122 variant, as a random UUID has them.
        let bytes = withUnsafeBytes(of: ((high & ~0xF000) | 0x4000).bigEndian) { Array($0) }
            + withUnsafeBytes(of: ((low & ~(0xC << 60)) | (0x8 << 60)).bigEndian) { Array($0) }
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var out = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    buffer[out] = UInt8(ascii: "-"); out += 1
                }
                buffer[out] = hex[Int(byte >> 4)]
                buffer[out + 1] = hex[Int(byte & 0xF)]
                out += 2
            }
            return out
        }
    }
}

/// xoshiro256** (Blackman and Vigna): fast, 256 bits of state, seeded from the system generator.
struct Xoshiro256: Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    init() {
        var seed = SystemRandomNumberGenerator()
        s = (seed.next(), seed.next(), seed.next(), seed.next())
        if s == (0, 0, 0, 0) { s.0 = 1 }
    }

    mutating func next() -> UInt64 {
        let result = rotate(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = rotate(s.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
