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
        if let reason = ProcessRuntimeProbe.reason {
            if podRuntime == .process { throw ValidationError("--pod-runtime process: running pods needs \(reason)") }
            logger.notice("pods are simulated: running them needs \(reason)")
            return nil
        }
        let root = inMemory ? NSTemporaryDirectory() + "kubelite-runtime-\(getpid())" : (dataDir ?? Self.defaultDataDirectory())
        let runtime = ProcessPodRuntime(root: root, catalog: catalog)
        let leftovers = runtime.removeLeftovers()
        if leftovers > 0 { logger.notice("ended \(leftovers) processes a previous run of Kubelite left behind") }
        logger.info("pods run as processes (--pod-runtime \(podRuntime.rawValue)), under \(root)")
        return runtime
    }
}
