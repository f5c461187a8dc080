import Dispatch
import Foundation
import Logging

/// Stops the server cleanly on SIGINT and SIGTERM: in-flight requests finish, watches end, then exit 0.
enum ShutdownSignals {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install(logger: Logger, stop: @escaping @Sendable () -> Void) {
        signal(SIGPIPE, SIG_IGN)
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                logger.info("received \(sig == SIGINT ? "SIGINT" : "SIGTERM"), shutting down")
                stop()
                exit(0)
            }
            source.resume()
            sources.append(source)
        }
    }
}
