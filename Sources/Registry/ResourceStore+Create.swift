import APIMachinery
import Foundation
import Storage

extension ResourceStore {
    /// POST: decode, place in the namespace, fill system fields, validate, store (upstream's
    /// rest.BeforeCreate and Store.Create).
    public func create(namespace: String?, body: RequestBody, options: WriteOptions) throws(APIError) -> WriteResult {
        let (object, warnings) = try decode(body, options: options)
        return try create(namespace: namespace, decoded: object, warnings: warnings, options: options, recordsUpdate: true)
    }

    /// Creates a decoded object; `recordsUpdate` is false for an apply, which recorded its own entry.
    func create(namespace: String?, decoded: JSON, warnings: [String], options: WriteOptions,
                recordsUpdate: Bool) throws(APIError) -> WriteResult {
        var object = decoded
        try checkNamespace(&object, urlNamespace: namespace, creating: true)

        if let rv = object[path: "metadata", "resourceVersion"]?.stringValue, !rv.isEmpty {
            throw APIError.internalError("resourceVersion should not be set on objects to be created")
        }
        var metadata = object["metadata"]?.objectValue ?? [:]
        metadata["deletionTimestamp"] = nil
        metadata["deletionGracePeriodSeconds"] = nil
        metadata["uid"] = .string(UIDGenerator.generate())
        metadata["creationTimestamp"] = .string(now())
        metadata["selfLink"] = nil
        if strategy.tracksGeneration { metadata["generation"] = 1 }
        object["metadata"] = .object(metadata)
        // Ownership is of what the client sent (defaults included), before admission adds its part,
        // as upstream's create handler records it.
        if recordsUpdate {
            fieldManager(subresource: "").update(live: nil, new: &object, manager: options.managerName, now: metadata["creationTimestamp"]?.stringValue ?? now())
        }
        try strategy.admit(&object, cluster: cluster)
        strategy.prepareForCreate(&object)

        let generateName = metadata["generateName"]?.stringValue ?? ""
        let requestedName = metadata["name"]?.stringValue ?? ""
        // generateName collisions are retried with a fresh suffix, as upstream's RetryGenerateName does.
        let attempts = requestedName.isEmpty && !generateName.isEmpty ? 8 : 1
        for attempt in 1...attempts {
            if requestedName.isEmpty, !generateName.isEmpty {
                object[path: "metadata", "name"] = .string(NameGenerator.generate(base: generateName))
            }
            try validateForCreate(object)
            if attempt == 1, let writeAuthorization { try writeAuthorization(object, nil, options) }
            let name = object[path: "metadata", "name"]?.stringValue ?? ""
            // The ResourceQuota admission, last as upstream's validating admission runs it.
            if attempt == 1, resource.namespaced {
                try cluster.admitQuota(object, groupResource, object.meta.namespace, options.dryRun)
            }
            if options.dryRun {
                if storage.get(key(namespace: namespace, name: name)) != nil {
                    throw APIError.alreadyExists(groupResource, name)
                }
                // A dry run shows what would be allocated, and gives it straight back.
                var allocated = object
                let taken = try strategy.allocate(&allocated, cluster: cluster)
                if !taken.isEmpty { strategy.release(allocated, cluster: cluster) }
                return WriteResult(object: allocated, warnings: warnings)
            }
            var allocated = object
            let taken = try strategy.allocate(&allocated, cluster: cluster)
            do {
                let stored = try storage.create(key(namespace: object[path: "metadata", "namespace"]?.stringValue, name: name), allocated)
                return WriteResult(object: stored.object, bytes: stored.bytes, warnings: warnings)
            } catch {
                if !taken.isEmpty { strategy.release(allocated, cluster: cluster) }
                if case .alreadyExists = error, attempt < attempts { continue }
                throw interpret(error, name: name)
            }
        }
        throw APIError.internalError("could not generate a unique name")
    }

    /// Places the object in the URL's namespace: a body namespace must agree, the namespace must exist
    /// and not be terminating; cluster-scoped kinds drop any namespace.
    /// Only creation is refused in a Terminating namespace (upstream's NamespaceLifecycle admission);
    /// updates, which finalizers need, go through.
    func checkNamespace(_ object: inout JSON, urlNamespace: String?, creating: Bool = false) throws(APIError) {
        let bodyNamespace = object[path: "metadata", "namespace"]?.stringValue ?? ""
        guard resource.namespaced else {
            if !bodyNamespace.isEmpty { object[path: "metadata", "namespace"] = nil }
            return
        }
        let namespace = urlNamespace ?? ""
        if !bodyNamespace.isEmpty, bodyNamespace != namespace {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        object[path: "metadata", "namespace"] = .string(namespace)
        guard let phase = cluster.namespacePhase(namespace) else {
            throw APIError.notFound(GroupResource(group: "", resource: "namespaces"), namespace)
        }
        if creating, phase == "Terminating" {
            throw APIError.forbidden(groupResource, object[path: "metadata", "name"]?.stringValue ?? "",
                                     "unable to create new content in namespace \(namespace) because it is being terminated")
        }
    }

    func validateForCreate(_ object: JSON) throws(APIError) {
        var errors = ObjectMetaValidation.validate(object["metadata"], namespaced: resource.namespaced,
                                                   nameValidator: strategy.nameValidator,
                                                   kubeFinalizers: strategy.validatesKubeFinalizerNames)
        errors += strategy.validate(object)
        if !errors.isEmpty {
            throw APIError.invalid(resource.groupKind, object[path: "metadata", "name"]?.stringValue ?? "", errors)
        }
    }
}

/// Names for `generateName`: the base, truncated so the result fits 63 characters, plus five random
/// characters from upstream's alphabet (no vowels, no look-alike digits).
enum NameGenerator {
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func generate(base: String) -> String {
        let trimmed = base.count > 58 ? String(base.prefix(58)) : base
        // One draw (one getrandom call) gives all five characters: 27^5 is far below 2^64.
        var generator = SystemRandomNumberGenerator()
        var draw = generator.next()
        var suffix = ""
        for _ in 0..<5 {
            suffix.append(alphabet[Int(draw % UInt64(alphabet.count))])
            draw /= UInt64(alphabet.count)
        }
        return trimmed + suffix
    }
}

/// Random (version 4) UIDs, as upstream's uuid.NewRandom makes them. Foundation's `UUID()` opens
/// and reads /dev/urandom on every call on Linux; this is two getrandom draws and a table lookup
/// per hex digit.
enum UIDGenerator {
    private static let hex = Array("0123456789abcdef".utf8)

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = (generator.next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (generator.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var at = 0
            for (word, value) in [high, low].enumerated() {
                for nibble in 0..<16 {
                    let digit = 16 * word + nibble
                    if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
                        buffer[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    buffer[at] = hex[Int((value >> UInt64(60 - 4 * nibble)) & 0xF)]
                    at += 1
                }
            }
            return at
        }
    }
}
