import APIMachinery
import Foundation

/// A key-value pair as etcd's mvccpb.KeyValue reports it.
public struct EtcdKeyValue: Sendable, Equatable {
    public var key: [UInt8]
    public var value: [UInt8]
    public var createRevision: Int64
    public var modRevision: Int64
    /// How many times the key was written since its creation (1 after the create).
    public var version: Int64

    /// Decodes the gateway's JSON form: base64 key and value, revisions as strings; absent fields
    /// are proto3 defaults (empty, 0).
    init(_ json: JSON) throws(EtcdError) {
        guard let key = EtcdBase64.decode(json["key"]) else { throw .malformed("a key-value without a base64 key") }
        self.key = key
        value = EtcdBase64.decode(json["value"]) ?? []
        createRevision = EtcdClient.int(json["create_revision"]) ?? 0
        modRevision = EtcdClient.int(json["mod_revision"]) ?? 0
        version = EtcdClient.int(json["version"]) ?? 0
    }

    public var keyString: String { String(decoding: key, as: UTF8.self) }
}

/// Keys and values travel base64-encoded (proto `bytes` in JSON).
enum EtcdBase64 {
    static func encode(_ bytes: [UInt8]) -> JSON { .string(Data(bytes).base64EncodedString()) }
    static func encode(_ text: String) -> JSON { encode(Array(text.utf8)) }

    static func decode(_ value: JSON?) -> [UInt8]? {
        guard let text = value?.stringValue, let data = Data(base64Encoded: text) else { return nil }
        return [UInt8](data)
    }

    /// The end of the range of keys starting with `prefix` (etcd's clientv3.GetPrefixRangeEnd):
    /// the prefix with its last byte below 0xff incremented and what follows dropped.
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]  // every key
    }
}
