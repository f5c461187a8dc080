/// A set of field paths, as structured-merge-diff's `fieldpath.Set`: a tree whose nodes hold the
/// path elements that are themselves in the set (`members`) and the subtrees below elements that
/// have set paths under them (`children`). An element may be both (a list item owned as a whole
/// and field by field: `"k:{...}": {".": {}, "f:image": {}}`).
///
/// Invariant: no child subtree is empty, so `isEmpty` and equality are structural.
public struct FieldSet: Sendable, Equatable {
    public var members: Set<FieldPathElement> = []
    public var children: [FieldPathElement: FieldSet] = [:]

    public init() {}

    public var isEmpty: Bool { members.isEmpty && children.isEmpty }

    /// Adds one path (the empty path adds nothing: the root is never a member).
    public mutating func insert(_ path: some Collection<FieldPathElement>) {
        guard let first = path.first else { return }
        if path.count == 1 {
            members.insert(first)
        } else {
            children[first, default: FieldSet()].insert(path.dropFirst())
        }
    }

    public func contains(_ path: some Collection<FieldPathElement>) -> Bool {
        guard let first = path.first else { return false }
        if path.count == 1 { return members.contains(first) }
        return children[first]?.contains(path.dropFirst()) ?? false
    }

    /// The subtree below `element` (`WithPrefix`).
    public func child(_ element: FieldPathElement) -> FieldSet? { children[element] }

    public func union(_ other: FieldSet) -> FieldSet {
        if other.isEmpty { return self }
        if isEmpty { return other }
        var result = self
        result.members.formUnion(other.members)
        for (element, subtree) in other.children {
            if let mine = result.children[element] {
                result.children[element] = mine.union(subtree)
            } else {
                result.children[element] = subtree
            }
        }
        return result
    }

    public func intersection(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        if isEmpty || other.isEmpty { return result }
        result.members = members.intersection(other.members)
        for (element, subtree) in children {
            guard let theirs = other.children[element] else { continue }
            let common = subtree.intersection(theirs)
            if !common.isEmpty { result.children[element] = common }
        }
        return result
    }

    /// Paths of this set not in `other`; like upstream's `Difference`, a member of `other` does not
    /// remove this set's paths below it.
    public func subtracting(_ other: FieldSet) -> FieldSet {
        if isEmpty || other.isEmpty { return self }
        var result = FieldSet()
        result.members = members.subtracting(other.members)
        for (element, subtree) in children {
            if let theirs = other.children[element] {
                let rest = subtree.subtracting(theirs)
                if !rest.isEmpty { result.children[element] = rest }
            } else {
                result.children[element] = subtree
            }
        }
        return result
    }

    /// Every path in the set, members before children at each level, each level in upstream's order
    /// (`Set.Iterate`): what conflict messages list.
    public func paths() -> [[FieldPathElement]] {
        var out: [[FieldPathElement]] = []
        var prefix: [FieldPathElement] = []
        collect(into: &out, prefix: &prefix)
        return out
    }

    private func collect(into out: inout [[FieldPathElement]], prefix: inout [FieldPathElement]) {
        for element in FieldPathElement.sorted(members) {
            out.append(prefix + [element])
        }
        for element in FieldPathElement.sorted(children.keys) {
            prefix.append(element)
            children[element]!.collect(into: &out, prefix: &prefix)
            prefix.removeLast()
        }
    }

    /// `Path.String()`: `.spec.template.spec.containers[name="nginx"].image`.
    public static func describe(_ path: [FieldPathElement]) -> String {
        path.map(\.description).joined()
    }
}
