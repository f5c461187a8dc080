import Foundation

/// The cluster's credentials, ready at once when they are read from `pki/`, or made on a thread of
/// their own when they must be generated (a new data directory, every `--in-memory` run): two
/// 2048-bit RSA keys take a few hundred milliseconds, which would otherwise be most of Kubelite's
/// start-up. Users (the token issuer, the CA publishers) wait for them on first use.
public final class PendingCredentials: Sendable {
    private let ready = DispatchGroup()
    private let result = ResultBox()

    /// Loads `<directory>/pki` when both files are there (a file that does not parse is an error
    /// here, so start-up stops with it); otherwise generates them in the background and, with a
    /// directory, writes them. `failed` is told if that cannot be done.
    public init(directory: String?, failed: @escaping @Sendable (Error) -> Void) throws {
        if let directory, ClusterCredentials.exist(directory: directory) {
            result.set(.success(try ClusterCredentials.load(directory: directory)))
            return
        }
        ready.enter()
        Thread.detachNewThread { [ready, result] in
            do {
                result.set(.success(try directory.map { try ClusterCredentials.load(directory: $0) } ?? ClusterCredentials.ephemeral()))
            } catch {
                result.set(.failure(error))
                failed(error)
            }
            ready.leave()
        }
    }

    /// The credentials, waiting for their generation if it is still running.
    public var value: ClusterCredentials {
        get throws {
            ready.wait()
            return try result.get()
        }
    }

    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<ClusterCredentials, Error>?
        func set(_ value: Result<ClusterCredentials, Error>) { lock.lock(); result = value; lock.unlock() }
        func get() throws -> ClusterCredentials {
            lock.lock(); defer { lock.unlock() }
            guard let result else { throw CredentialFile.Failure(description: "the cluster's credentials are not made yet") }
            return try result.get()
        }
    }
}
