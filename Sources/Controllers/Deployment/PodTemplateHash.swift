import APIMachinery

/// The `pod-template-hash` label value of a Deployment's template (controller.ComputeHash): a
/// 32-bit FNV-1a hash, the collision count mixed in as four little-endian bytes padded to eight,
/// printed in decimal and passed through `rand.SafeEncodeString`.
///
/// Upstream hashes spew's dump of the Go PodTemplateSpec struct; Kubelite hashes the template's
/// canonical JSON (keys sorted as Go's encoder sorts map keys) instead, so the hash of a given
/// template differs from a real cluster's while keeping its properties: stable across restarts,
/// different for different templates, and moved by the collision count.
enum PodTemplateHash {
    static let label = "pod-template-hash"

    static func compute(_ template: JSON, collisionCount: Int32?) -> String {
        var h: UInt32 = 2_166_136_261
        func write<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for b in bytes { h ^= UInt32(b); h = h &* 16_777_619 }
        }
        write(JSONWriter.encodeString(GoMapOrder.sortedKeys(template)).utf8)
        if let collisionCount {
            let v = UInt32(bitPattern: collisionCount)
            write([UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24), 0, 0, 0, 0])
        }
        return ControllerRevisionHash.safeEncode(String(h))
    }

    /// EqualIgnoreHash: two templates equal once the hash label is taken out of both.
    static func equalIgnoringHash(_ a: JSON, _ b: JSON) -> Bool {
        SemanticEquality.equal(withoutHash(a), withoutHash(b))
    }

    static func withoutHash(_ template: JSON) -> JSON {
        var t = template
        t[path: "metadata", "labels", label] = nil
        if t[path: "metadata", "labels"]?.objectValue?.isEmpty == true { t[path: "metadata", "labels"] = nil }
        return t
    }
}
