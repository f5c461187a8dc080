import ArgumentParser
import Foundation
import Logging
import Node

extension Serve {
    /// The process runtime `--pod-runtime` asks for, or nil when every pod is simulated. `process`
    /// on a machine that cannot run pods, or an image catalog that does not parse, stops startup
    /// with the reason; `auto` falls back to simulating. What a crashed run left under the same
    /// root is ended first.
    func startPodRuntime(logger: Logger) throws -> ProcessPodRuntime? {
        var catalog = ImageCatalog.builtIn
        if let imageCatalog {
            do {
                catalog = catalog.adding(try ImageCatalogFile.load(path: imageCatalog))
            } catch {
                throw ValidationError("--image-catalog: \(error.description)")
            }
        }
        guard podRuntime != .simulated else { return nil }
        let root = inMemory ? NSTemporaryDirectory() + "kubelite-runtime-\(getpid())" : (dataDir ?? Self.defaultDataDirectory())
        if podRuntime == .process {
            if let reason = ProcessRuntimeProbe.reason { throw ValidationError("--pod-runtime process: running pods needs \(reason)") }
            let runtime = ProcessPodRuntime(root: root, catalog: catalog)
            Self.removeLeftovers(of: runtime, logger: logger)
            logger.info("pods run as processes (--pod-runtime process), under \(root)")
            return runtime
        }
        // auto: the checks run once the server is ready (`preparation.start()`); the kubelet waits
        // for them before it decides how to run its first pod.
        let holder = RuntimeHolder()
        let preparation = RuntimePreparation {
            if let reason = ProcessRuntimeProbe.reason {
                logger.notice("pods are simulated: running them needs \(reason)")
                return reason
            }
            if let runtime = holder.runtime { Self.removeLeftovers(of: runtime, logger: logger) }
            if inMemory { Self.removeAbandonedInMemoryRuns(logger: logger) }
            logger.info("pods whose images are in the catalog run as processes (--pod-runtime auto), under \(root)")
            return nil
        }
        let runtime = ProcessPodRuntime(root: root, catalog: catalog, preparation: preparation)
        holder.runtime = runtime
        return runtime
    }

    /// An in-memory run keeps its pods under a directory named for its process id, so a crashed
    /// one's leftovers are found by that name: a directory whose process is gone is ended and removed.
    private static func removeAbandonedInMemoryRuns(logger: Logger) {
        let temporary = NSTemporaryDirectory()
        let prefix = "kubelite-runtime-"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = pid_t(entry.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let root = temporary + entry
            removeLeftovers(of: ProcessPodRuntime(root: root), logger: logger)
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    private static func removeLeftovers(of runtime: ProcessPodRuntime, logger: Logger) {
        let leftovers = runtime.removeLeftovers()
        if leftovers > 0 { logger.notice("ended \(leftovers) processes a previous run of Kubelite left behind") }
    }
}

/// Lets the start-up checks reach the runtime they belong to, which is made after them.
private final class RuntimeHolder: @unchecked Sendable {
    var runtime: ProcessPodRuntime?
}
