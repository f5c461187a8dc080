/// The one place views read and write an object's fields.
///
/// Views (ObjectMetaView, PodView, ...) reach their data only through this type, so the
/// representation below them can change (today a decoded JSON tree; later encoded bytes with
/// offsets) without touching the views or the controllers written against them. Absent members,
/// members of another type and explicit nulls all read as absent, as Go's decoder leaves them at
/// their zero value.
struct ObjectFields: Sendable, Equatable {
    /// The object as it is stored; views hand it out only through their `object` escape hatch.
    private(set) var object: JSON

    init(_ object: JSON) { self.object = object }

    func value(_ path: [String]) -> JSON? {
        var current: JSON? = object
        for key in path { current = current?[key] }
        if let current, !current.isNull { return current }
        return nil
    }

    func has(_ path: String...) -> Bool { value(path) != nil }
    func string(_ path: String...) -> String? { value(path)?.stringValue }
    func int(_ path: String...) -> Int64? { value(path)?.intValue }
    func bool(_ path: String...) -> Bool? { value(path)?.boolValue }
    func json(_ path: String...) -> JSON? { value(path) }

    /// A list of strings (`finalizers`, `accessModes`); non-string items are skipped.
    func strings(_ path: String...) -> [String] { (value(path)?.arrayValue ?? []).compactMap(\.stringValue) }

    /// A `map[string]string` (labels, annotations, nodeSelector); non-string values are skipped,
    /// as Go's decoder would have rejected them.
    func stringMap(_ path: String...) -> [String: String] {
        var map: [String: String] = [:]
        for (key, value) in value(path)?.objectValue ?? [:] { if let s = value.stringValue { map[key] = s } }
        return map
    }

    /// The members of a list of objects (containers, conditions, ownerReferences), each as fields.
    func list(_ path: String...) -> [ObjectFields] { (value(path)?.arrayValue ?? []).map(ObjectFields.init) }

    /// A nested object as fields of its own; an empty object when absent.
    func child(_ path: String...) -> ObjectFields { ObjectFields(value(path) ?? .object([:])) }

    /// Sets (or with nil removes) the member at `path`, creating intermediate objects.
    mutating func set(_ value: JSON?, _ path: String...) { object.setValue(value, at: path[...]) }
}
