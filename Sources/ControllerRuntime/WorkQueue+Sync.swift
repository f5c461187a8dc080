import Logging

/// A sync that did not finish and asks to be retried, without more to say than that (the
/// controllers whose sync answers true or false). A sync with a reason throws that instead.
public struct SyncIncomplete: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "sync did not complete" }
}

/// A sync that waits for something expected to come by itself (its informer's cache catching up
/// with the controller's own writes): requeued like any failure, but logged at debug, since it is
/// the normal course of a busy controller rather than something for an operator to look at.
public protocol ExpectedRequeue: Error {}

extension WorkQueue {
    /// Starts `workers` workers running `sync` for each key, the one way controllers process their
    /// queues (client-go's processNextWorkItem with handleErr): a key that syncs has its failure
    /// history forgotten; a key whose sync throws is logged — controller, key, error, retries so
    /// far — and added back rate-limited. `SyncIncomplete` is logged as a warning, since such a
    /// controller logs its own reason; any other error at error level.
    public func run(workers: Int, logger: Logger, sync: @escaping @Sendable (Key) throws -> Void) {
        run(workers: workers) { [self] key in
            do {
                try sync(key)
                forget(key)
            } catch {
                let metadata: Logger.Metadata = [
                    "controller": "\(name)", "key": "\(key)", "error": "\(error)", "requeues": "\(numRequeues(key))",
                ]
                if error is any ExpectedRequeue {
                    logger.debug("sync of \(key) waits, requeuing: \(error)", metadata: metadata)
                } else if error is SyncIncomplete {
                    logger.warning("sync of \(key) did not complete, requeuing", metadata: metadata)
                } else {
                    logger.error("error syncing \(key), requeuing: \(error)", metadata: metadata)
                }
                addRateLimited(key)
            }
        }
    }

    /// As `run(workers:logger:sync:)` for a sync that answers whether it finished; false is retried.
    public func run(workers: Int, logger: Logger, reconcile: @escaping @Sendable (Key) -> Bool) {
        run(workers: workers, logger: logger) { key in
            if !reconcile(key) { throw SyncIncomplete() }
        }
    }
}
