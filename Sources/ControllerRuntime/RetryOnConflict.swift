import APIMachinery

/// Runs `body` until it succeeds, fails with something other than a conflict, or `backoff`'s
/// steps are spent; then the last conflict is thrown (client-go's retry.RetryOnConflict).
/// `body` must read the object afresh on every attempt: retrying with the stale copy would only
/// conflict again.
///
/// - Parameters:
///   - backoff: attempts and waits; upstream's DefaultRetry unless a caller has reason to differ.
///   - sleep: waits between attempts; tests pass one that records instead of sleeping.
public func retryOnConflict<Result, Failure: Error>(
    _ backoff: Backoff = .defaultRetry,
    sleep: (Duration) -> Void = Backoff.threadSleep,
    _ body: () throws(Failure) -> Result
) throws(Failure) -> Result {
    try retryOnError(backoff, sleep: sleep, retriable: { $0.isConflict }, body)
}

/// Runs `body` until it succeeds, fails with an error `retriable` refuses, or `backoff`'s steps
/// are spent; then the last error is thrown (client-go's retry.OnError).
public func retryOnError<Result, Failure: Error>(
    _ backoff: Backoff = .defaultRetry,
    sleep: (Duration) -> Void = Backoff.threadSleep,
    retriable: (Failure) -> Bool,
    _ body: () throws(Failure) -> Result
) throws(Failure) -> Result {
    var attempt = 0
    while true {
        do {
            return try body()
        } catch {
            attempt += 1
            guard retriable(error), attempt < backoff.steps else { throw error }
            let delay = backoff.delay(after: attempt - 1)
            if delay > .zero { sleep(delay) }
        }
    }
}
