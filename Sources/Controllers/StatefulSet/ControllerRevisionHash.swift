import APIMachinery
import ControllerRuntime

/// The name and hash of a ControllerRevision as pkg/controller/history computes them:
/// FNV-1 32-bit (Go's `fnv.New32`, not FNV-1a) over the revision's raw data bytes followed by the
/// decimal collision count, printed in decimal and passed through `rand.SafeEncodeString`.
enum ControllerRevisionHash {
    static let hashLabel = "controller.kubernetes.io/hash"

    /// HashControllerRevision.
    static func hash(data: [UInt8], collisionCount: Int32?) -> String {
        var h: UInt32 = 2_166_136_261
        func write<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for b in bytes { h = h &* 16_777_619; h ^= UInt32(b) }
        }
        write(data)
        if let collisionCount { write(String(collisionCount).utf8) }
        return safeEncode(String(h))
    }

    /// rand.SafeEncodeString: each character mapped into an alphabet without vowels and confusable
    /// digits, so generated names spell no words.
    static func safeEncode(_ s: String) -> String {
        let alphanums = Array("bcdfghjklmnpqrstvwxz2456789".utf8)
        return String(decoding: s.unicodeScalars.map { alphanums[Int($0.value) % alphanums.count] }, as: UTF8.self)
    }

    /// ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 bytes.
    static func name(prefix: String, hash: String) -> String {
        let bytes = Array(prefix.utf8)
        let cut = bytes.count > 223 ? String(decoding: bytes[..<223], as: UTF8.self) : prefix
        return "\(cut)-\(hash)"
    }

    /// getPatch: `{"spec":{"template":<template with "$patch":"replace">}}`, re-marshalled through Go
    /// maps, so every object's keys are sorted. These bytes are what the hash covers and what
    /// `kubectl rollout undo` applies as a strategic merge patch.
    static func patch(template: JSON) -> JSON {
        var template = template
        template["$patch"] = "replace"
        return GoMapOrder.sortedKeys(["spec": ["template": template]])
    }

    /// The template a revision's patch restores (ApplyRevision: the patch only replaces spec.template).
    static func template(fromPatch data: JSON) -> JSON? {
        guard var template = data[path: "spec", "template"], template.objectValue != nil else { return nil }
        template["$patch"] = nil
        return template
    }
}
