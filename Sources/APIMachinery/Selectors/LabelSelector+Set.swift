extension LabelSelector {
    /// labels.Set(map).AsSelector(): the equality-only selector of a core/v1 ReplicationController
    /// or Service (`spec.selector` is a plain map); an empty or absent map selects everything.
    public init(set: JSON?) {
        let map = set?.objectValue ?? [:]
        self.init(json: .object(["matchLabels": .object(map)]))
    }
}
