/// What an update took from and gives back to cluster-wide pools (upstream's callbackTransaction):
/// `revert` returns what it took when the write does not happen; `commit` releases what the old
/// object held and the new one no longer needs, once the write is stored.
public struct AllocationTransaction: Sendable {
    public var commit: @Sendable () -> Void
    public var revert: @Sendable () -> Void

    public init(commit: @escaping @Sendable () -> Void = {}, revert: @escaping @Sendable () -> Void = {}) {
        self.commit = commit
        self.revert = revert
    }

    public static let none = AllocationTransaction()
}
