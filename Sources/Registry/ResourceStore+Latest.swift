import Storage

extension ResourceStore {
    /// Whether an answer made from `state` alone (a no-op, a not-found, a refusal: no write of the
    /// caller's own queued behind it) may be given: at once for committed state; for state a write
    /// still waiting for its group commit produced, once that write is committed. False when that
    /// write failed: the caller reads again.
    ///
    /// Update loops read the newest state, uncommitted writes included, so that writers contending
    /// on one object queue behind each other in one group commit instead of all but one conflicting
    /// with it and retrying until its fsync (upstream's GuaranteedUpdate retries against the freshest
    /// state the same way); a write queued behind an uncommitted one is committed after it or fails
    /// with it, so nothing is acknowledged that is not durable.
    func settled(_ state: LatestState) -> Bool {
        guard let revision = state.uncommitted else { return true }
        return storage.awaitCommit(revision)
    }
}
