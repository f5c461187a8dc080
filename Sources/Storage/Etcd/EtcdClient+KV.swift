import APIMachinery

/// The KV service's calls Kubelite makes, as typed wrappers over the JSON gateway.
extension EtcdClient {
    /// One page of a range: the pairs, whether more follow, and the revision it was read at.
    public struct RangePage: Sendable {
        public var kvs: [EtcdKeyValue]
        public var more: Bool
        public var revision: Int64
        /// How many keys the whole range holds, whatever the limit.
        public var count: Int64
    }

    /// Reads keys in [key, rangeEnd) (just `key` when rangeEnd is nil) at `revision` (0: newest),
    /// at most `limit` of them (0: all); `keysOnly` leaves the values out, `countOnly` the pairs,
    /// `newestFirst` sorts them by mod_revision, highest first. Linearizable, as clientv3's default:
    /// the member confirms with the quorum that its revision is current.
    public func range(_ key: [UInt8], rangeEnd: [UInt8]? = nil, revision: Int64 = 0, limit: Int = 0,
                      keysOnly: Bool = false, countOnly: Bool = false, newestFirst: Bool = false) throws(EtcdError) -> RangePage {
        var body: JSONObject = ["key": EtcdBase64.encode(key)]
        if let rangeEnd { body["range_end"] = EtcdBase64.encode(rangeEnd) }
        if revision > 0 { body["revision"] = .string(String(revision)) }
        if limit > 0 { body["limit"] = .string(String(limit)) }
        if keysOnly { body["keys_only"] = true }
        if countOnly { body["count_only"] = true }
        if newestFirst { body["sort_order"] = "DESCEND"; body["sort_target"] = "MOD" }
        let answer = try call("/v3/kv/range", .object(body))
        var kvs: [EtcdKeyValue] = []
        for kv in answer["kvs"]?.arrayValue ?? [] { kvs.append(try EtcdKeyValue(kv)) }
        return RangePage(kvs: kvs, more: answer["more"]?.boolValue ?? false, revision: Self.revision(answer),
                         count: Self.int(answer["count"]) ?? 0)
    }

    /// Puts `value` at `key` unconditionally; returns the revision of the put.
    @discardableResult
    public func put(_ key: [UInt8], _ value: [UInt8]) throws(EtcdError) -> Int64 {
        Self.revision(try call("/v3/kv/put", .object(["key": EtcdBase64.encode(key), "value": EtcdBase64.encode(value)])))
    }

    /// The outcome of a transaction: which branch ran, the store's revision after it (the
    /// revision of its writes when it wrote), and the branch's responses.
    public struct TxnResult: Sendable {
        public var succeeded: Bool
        public var revision: Int64
        public var responses: [JSON]
    }

    public func txn(_ txn: EtcdTxn) throws(EtcdError) -> TxnResult {
        let answer = try call("/v3/kv/txn", txn.json)
        return TxnResult(succeeded: answer["succeeded"]?.boolValue ?? false, revision: Self.revision(answer),
                         responses: answer["responses"]?.arrayValue ?? [])
    }

    /// The member's status (version, revision); answers only if the member is up.
    public func status() throws(EtcdError) -> (version: String, revision: Int64) {
        let answer = try call("/v3/maintenance/status", .object([:]))
        return (answer["version"]?.stringValue ?? "", Self.revision(answer))
    }

    /// Compacts the history up to `revision` (kube-apiserver's periodic compaction).
    public func compact(_ revision: Int64) throws(EtcdError) {
        _ = try call("/v3/kv/compaction", .object(["revision": .string(String(revision))]))
    }

    static func revision(_ answer: JSON) -> Int64 { int(answer[path: "header", "revision"]) ?? 0 }
}

/// A transaction: comparisons, then the operations of the branch they select (etcd's TxnRequest).
public struct EtcdTxn: Sendable {
    public enum Compare: Sendable {
        /// The key does not exist (create_revision == 0).
        case absent
        /// The key exists (create_revision > 0).
        case exists
        /// The key was last modified at this revision.
        case modRevision(Int64)
        /// The key has been written this many times (0: it does not exist).
        case version(Int64)
    }

    public enum Operation: Sendable {
        case put(value: [UInt8])
        case get
        /// Deletes the key, answering its previous value.
        case delete
    }

    public var key: [UInt8]
    public var compare: Compare
    public var success: [Operation]
    public var failure: [Operation]

    public init(key: [UInt8], compare: Compare, success: [Operation], failure: [Operation] = []) {
        self.key = key; self.compare = compare; self.success = success; self.failure = failure
    }

    /// The gateway's JSON: enums by name, int64 as strings, bytes as base64.
    public var json: JSON {
        let k = EtcdBase64.encode(key)
        let comparison: JSONObject
        switch compare {
        case .absent: comparison = ["key": k, "target": "CREATE", "result": "EQUAL", "create_revision": "0"]
        case .exists: comparison = ["key": k, "target": "CREATE", "result": "GREATER", "create_revision": "0"]
        case .modRevision(let r): comparison = ["key": k, "target": "MOD", "result": "EQUAL", "mod_revision": .string(String(r))]
        case .version(let v): comparison = ["key": k, "target": "VERSION", "result": "EQUAL", "version": .string(String(v))]
        }
        func request(_ op: Operation) -> JSON {
            switch op {
            case .put(let value): return ["request_put": ["key": k, "value": EtcdBase64.encode(value)]]
            case .get: return ["request_range": ["key": k]]
            case .delete: return ["request_delete_range": ["key": k, "prev_kv": true]]
            }
        }
        return ["compare": [.object(comparison)], "success": .array(success.map(request)), "failure": .array(failure.map(request))]
    }
}
