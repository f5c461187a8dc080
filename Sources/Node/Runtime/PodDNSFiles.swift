import APIMachinery
import Foundation

/// The files the kubelet writes for each pod and mounts over the container's own: `/etc/hosts`
/// (pkg/kubelet's managed hosts file), `/etc/resolv.conf` (the DNS configurer's answer for the
/// pod's dnsPolicy and dnsConfig, written in containerd's layout) and `/etc/hostname`.
public enum PodDNSFiles {
    /// What the host's `/etc/resolv.conf` says (the kubelet's `--resolv-conf`).
    public struct ResolverConfig: Sendable, Equatable {
        public var nameservers: [String] = []
        public var searches: [String] = []
        public var options: [String] = []

        public init(nameservers: [String] = [], searches: [String] = [], options: [String] = []) {
            self.nameservers = nameservers; self.searches = searches; self.options = options
        }

        /// Parses resolv.conf text: `nameserver`, `search` (the last one wins, as the resolver
        /// reads it), `domain` (a one-entry search) and `options` lines; comments are skipped.
        public init(parsing text: String) {
            for line in text.split(separator: "\n") {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard let keyword = fields.first, !keyword.hasPrefix("#"), !keyword.hasPrefix(";") else { continue }
                let values = Array(fields.dropFirst())
                switch keyword {
                case "nameserver": nameservers += values.prefix(1)
                case "search", "domain": searches = values
                case "options": options += values
                default: continue
                }
            }
        }

        /// This machine's `/etc/resolv.conf` (empty when it cannot be read).
        public static var host: ResolverConfig {
            ResolverConfig(parsing: (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? "")
        }

        /// containerd's layout: search, then nameserver lines, then options.
        public var text: String {
            var out = ""
            if !searches.isEmpty { out += "search \(searches.joined(separator: " "))\n" }
            for server in nameservers { out += "nameserver \(server)\n" }
            if !options.isEmpty { out += "options \(options.joined(separator: " "))\n" }
            return out
        }
    }

    /// The resolver limits the kubelet enforces (glibc reads at most 3 nameservers; Kubernetes allows
    /// 32 search domains).
    static let maxNameservers = 3
    static let maxSearches = 32

    /// The pod's hostname: `spec.hostname`, else its name cut to 63 characters without a trailing
    /// `-` or `.` (the kubelet's truncatePodHostnameIfNeeded).
    public static func hostname(_ pod: JSON) -> String {
        let view = PodView(pod)
        let name = view.hostname.isEmpty ? pod.meta.name : view.hostname
        guard name.count > 63 else { return name }
        var cut = String(name.prefix(63))
        while cut.last == "-" || cut.last == "." { cut.removeLast() }
        return cut
    }

    /// `<subdomain>.<namespace>.svc.<cluster domain>` when the pod has a subdomain.
    public static func hostDomain(_ pod: JSON, clusterDomain: String) -> String? {
        guard let subdomain = PodView(pod).subdomain, !subdomain.isEmpty else { return nil }
        return "\(subdomain).\(pod.meta.namespace).svc.\(clusterDomain)"
    }

    /// The managed hosts file: the localhost boilerplate, the pod's own line (its FQDN first when it
    /// has a subdomain), then `spec.hostAliases`.
    public static func hosts(_ pod: JSON, address: String, clusterDomain: String) -> String {
        var out = "# Kubernetes-managed hosts file.\n"
        out += "127.0.0.1\tlocalhost\n"
        out += "::1\tlocalhost ip6-localhost ip6-loopback\n"
        out += "fe00::0\tip6-localnet\n"
        out += "fe00::0\tip6-mcastprefix\n"
        out += "fe00::1\tip6-allnodes\n"
        out += "fe00::2\tip6-allrouters\n"
        let name = hostname(pod)
        if let domain = hostDomain(pod, clusterDomain: clusterDomain) {
            out += "\(address)\t\(name).\(domain)\t\(name)\n"
        } else {
            out += "\(address)\t\(name)\n"
        }
        let aliases = PodView(pod).hostAliases
        if !aliases.isEmpty {
            out += "\n# Entries added by HostAliases.\n"
            for alias in aliases { out += "\(alias.ip)\t\(alias.hostnames.joined(separator: "\t"))\n" }
        }
        return out
    }

    /// The pod's resolver configuration as the kubelet's DNS configurer forms it. `clusterDNS` nil
    /// means no cluster DNS: a ClusterFirst pod falls back to the host's configuration, and
    /// `missingClusterDNS` is true (the kubelet's MissingClusterDNS event).
    public static func resolver(_ pod: JSON, clusterDNS: String?, clusterDomain: String,
                                host: ResolverConfig) -> (config: ResolverConfig, missingClusterDNS: Bool) {
        var config: ResolverConfig
        var missing = false
        let view = PodView(pod)
        // ClusterFirstWithHostNet is ClusterFirst for a pod with its own network (the only kind run here).
        switch view.dnsPolicy {
        case "None":
            config = ResolverConfig()
        case "Default":
            config = host
        default:
            if let clusterDNS {
                let namespace = pod.meta.namespace
                config = ResolverConfig(nameservers: [clusterDNS],
                                        searches: ["\(namespace).svc.\(clusterDomain)", "svc.\(clusterDomain)", clusterDomain] + host.searches,
                                        options: ["ndots:5"])
            } else {
                missing = true
                config = host
            }
        }
        if let extra = view.dnsConfig {
            config.nameservers += extra.nameservers
            config.searches += extra.searches
            config.options = mergeOptions(config.options, extra.options)
        }
        config.nameservers = Array(unique(config.nameservers).prefix(maxNameservers))
        config.searches = Array(unique(config.searches).prefix(maxSearches))
        return (config, missing)
    }

    /// The kubelet's MissingClusterDNS event message for the pod.
    public static func missingClusterDNSMessage(_ pod: JSON) -> String {
        "pod: \"\(pod.meta.name)_\(pod.meta.namespace)(\(pod.meta.uid))\". kubelet does not have ClusterDNS IP configured and cannot create Pod using \"ClusterFirst\" policy. Falling back to \"Default\" policy."
    }

    /// dnsConfig options replace same-named ones (`ndots:2` over `ndots:5`); the rest are appended.
    static func mergeOptions(_ existing: [String], _ added: [(name: String, value: String?)]) -> [String] {
        var merged = existing.map { option -> (String, String?) in
            let parts = option.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : nil)
        }
        for (name, value) in added {
            if let i = merged.firstIndex(where: { $0.0 == name }) { merged[i].1 = value } else { merged.append((name, value)) }
        }
        return merged.map { name, value in value.map { "\(name):\($0)" } ?? name }
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
