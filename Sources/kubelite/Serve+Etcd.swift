import ArgumentParser
import Foundation
import Logging
import APIServer
import Registry
import Storage

extension Serve {
    /// The members of `--etcd-servers`, or nil if one of them is not an http(s)://host:port URL.
    func etcdEndpoints(_ list: String) -> [EtcdEndpoint]? {
        let urls = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let endpoints = urls.compactMap(EtcdEndpoint.init(url:))
        return endpoints.isEmpty || endpoints.count != urls.count ? nil : endpoints
    }

    /// Connects to etcd and fills the watch cache from it; etcd not answering at startup stops
    /// kubelite with the reason (as kube-apiserver does), once startup is over it only fails writes.
    func openEtcdStore(logger: Logger) throws -> EtcdStorage {
        let endpoints = etcdEndpoints(etcdServers ?? "") ?? []
        let encryption = try loadEncryption(logger: logger)
        let layout = EtcdKeyLayout(prefix: etcdPrefix,
                                   builtinResources: StrategyCatalog.all.map { $0.resource.groupResource.description })
        let etcdLogger = Logger(label: "kubelite.etcd")
        var credentials: EtcdTLSCredentials?
        if endpoints.contains(where: \.secure) {
            do {
                credentials = try EtcdTLSCredentials(caFile: etcdCAFile, certFile: etcdCertFile, keyFile: etcdKeyFile)
            } catch {
                logger.critical("cannot use the etcd TLS files: \(error)")
                throw ExitCode.failure
            }
        } else if etcdCAFile != nil || etcdCertFile != nil {
            logger.warning("--etcd-cafile, --etcd-certfile and --etcd-keyfile apply to https:// members only; --etcd-servers has none")
        }
        do {
            let store = try EtcdStorage(client: EtcdClient(endpoints: endpoints, credentials: credentials), layout: layout,
                                        historyLimit: watchHistory, historyBytes: watchHistoryBytes,
                                        transformer: encryption,
                                        readyCheckTimeout: GoDuration.parse(etcdReadycheckTimeout) ?? .seconds(2)) { message in etcdLogger.warning("\(message)") }
            if let interval = GoDuration.parse(etcdCompactionInterval), interval > .zero {
                let queue = DispatchQueue(label: "kubelite.etcd-compaction")
                store.startCompaction(every: interval) { delay, work in
                    queue.asyncAfter(deadline: .now() + .nanoseconds(Int(delay.seconds * 1e9)), execute: work)
                }
            }
            logger.info("etcd store \(endpoints.map(\.description).joined(separator: ",")) prefix \(layout.rootPrefix) at resourceVersion \(store.currentRevision)")
            return store
        } catch {
            logger.critical("cannot start the etcd store: \(error)")
            throw ExitCode.failure
        }
    }
}
