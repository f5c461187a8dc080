import APIMachinery
import ControllerRuntime
import Storage

/// Who owns whom, across every resource: the garbage collector's view of ownerReferences, kept
/// from storage events. Keys are storage keys; owners are named by UID as ownerReferences name them.
struct OwnerGraph {
    /// Every object's UID and owner UIDs.
    private(set) var objects: [StorageKey: (uid: String, owners: [OwnerReferenceView])] = [:]
    private(set) var keyByUID: [String: StorageKey] = [:]
    private(set) var dependents: [String: Set<StorageKey>] = [:]

    /// An object's owner references that name an owner by UID (the graph's edges).
    static func ownerReferences(_ object: JSON) -> [OwnerReferenceView] {
        object.meta.ownerReferences.filter { !$0.uid.isEmpty }
    }

    mutating func upsert(_ key: StorageKey, _ object: JSON) {
        remove(key)
        let uid = object.meta.uid
        let owners = Self.ownerReferences(object)
        objects[key] = (uid, owners)
        if !uid.isEmpty { keyByUID[uid] = key }
        for owner in owners { dependents[owner.uid, default: []].insert(key) }
    }

    mutating func remove(_ key: StorageKey) {
        guard let existing = objects.removeValue(forKey: key) else { return }
        if keyByUID[existing.uid] == key { keyByUID[existing.uid] = nil }
        for owner in existing.owners {
            dependents[owner.uid]?.remove(key)
            if dependents[owner.uid]?.isEmpty == true { dependents[owner.uid] = nil }
        }
    }

    func dependents(of uid: String) -> [StorageKey] { Array(dependents[uid] ?? []) }

    func owners(of key: StorageKey) -> [OwnerReferenceView] { objects[key]?.owners ?? [] }

    func exists(uid: String) -> Bool { keyByUID[uid] != nil }
}
