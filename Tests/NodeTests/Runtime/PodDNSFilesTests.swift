import APIMachinery
@testable import Node
import XCTest

final class PodDNSFilesTests: XCTestCase {
    func pod(_ spec: JSON = [:], name: String = "redis-sts-0", namespace: String = "shop") -> JSON {
        ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": "u-1"], "spec": spec]
    }

    let boilerplate = "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        + "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"

    func testHostsNamesThePodAndItsFQDNWithASubdomain() {
        XCTAssertEqual(PodDNSFiles.hosts(pod(), address: "10.244.0.5", clusterDomain: "cluster.local"),
                       boilerplate + "10.244.0.5\tredis-sts-0\n")
        XCTAssertEqual(PodDNSFiles.hosts(pod(["subdomain": "redis-svc"]), address: "10.244.0.5", clusterDomain: "cluster.local"),
                       boilerplate + "10.244.0.5\tredis-sts-0.redis-svc.shop.svc.cluster.local\tredis-sts-0\n")
        let aliased = pod(["hostname": "db", "hostAliases": [["ip": "127.0.0.1", "hostnames": ["foo.local", "bar.local"]],
                                                             ["ip": "10.1.2.3", "hostnames": ["foo.remote"]]]])
        XCTAssertEqual(PodDNSFiles.hosts(aliased, address: "10.244.0.6", clusterDomain: "k8s.test"),
                       boilerplate + "10.244.0.6\tdb\n\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n10.1.2.3\tfoo.remote\n")
    }

    func testHostnameIsCutTo63CharactersWithoutATrailingDashOrDot() {
        let long = String(repeating: "a", count: 62) + "-b"
        XCTAssertEqual(PodDNSFiles.hostname(pod(name: long)), String(repeating: "a", count: 62))
        XCTAssertEqual(PodDNSFiles.hostname(pod(["hostname": "web-0"])), "web-0")
    }

    let host = PodDNSFiles.ResolverConfig(parsing: "# a comment\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.test lab.test\noptions rotate\n")

    func testHostResolvConfParsing() {
        XCTAssertEqual(host, PodDNSFiles.ResolverConfig(nameservers: ["192.0.2.53", "192.0.2.54"], searches: ["corp.test", "lab.test"], options: ["rotate"]))
        XCTAssertEqual(PodDNSFiles.ResolverConfig(parsing: "domain one.test\nsearch two.test\n").searches, ["two.test"], "the last search line wins")
    }

    func testClusterFirstUsesTheClusterDNSAndTheSearchPath() {
        let (config, missing) = PodDNSFiles.resolver(pod(), clusterDNS: "10.244.0.1", clusterDomain: "cluster.local", host: host)
        XCTAssertFalse(missing)
        XCTAssertEqual(config.text, "search shop.svc.cluster.local svc.cluster.local cluster.local corp.test lab.test\n"
                                    + "nameserver 10.244.0.1\noptions ndots:5\n")
    }

    func testClusterFirstWithoutClusterDNSFallsBackToTheHost() {
        let (config, missing) = PodDNSFiles.resolver(pod(), clusterDNS: nil, clusterDomain: "cluster.local", host: host)
        XCTAssertTrue(missing)
        XCTAssertEqual(config, host)
        XCTAssertEqual(PodDNSFiles.missingClusterDNSMessage(pod()),
                       "pod: \"redis-sts-0_shop(u-1)\". kubelet does not have ClusterDNS IP configured and cannot create Pod using \"ClusterFirst\" policy. Falling back to \"Default\" policy.")
    }

    func testDefaultNoneAndDNSConfigMerging() {
        XCTAssertEqual(PodDNSFiles.resolver(pod(["dnsPolicy": "Default"]), clusterDNS: "10.244.0.1", clusterDomain: "cluster.local", host: host).config, host)
        let none = pod(["dnsPolicy": "None", "dnsConfig": ["nameservers": ["1.1.1.1"], "searches": ["a.test"]]])
        XCTAssertEqual(PodDNSFiles.resolver(none, clusterDNS: "10.244.0.1", clusterDomain: "cluster.local", host: host).config.text,
                       "search a.test\nnameserver 1.1.1.1\n")
        let extra = pod(["dnsConfig": ["nameservers": ["10.244.0.1", "1.1.1.1", "8.8.8.8", "9.9.9.9"], "searches": ["cluster.local", "b.test"],
                                       "options": [["name": "ndots", "value": "2"], ["name": "edns0"]]]])
        let merged = PodDNSFiles.resolver(extra, clusterDNS: "10.244.0.1", clusterDomain: "cluster.local", host: .init()).config
        XCTAssertEqual(merged.nameservers, ["10.244.0.1", "1.1.1.1", "8.8.8.8"], "duplicates dropped, at most 3")
        XCTAssertEqual(merged.searches, ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "b.test"])
        XCTAssertEqual(merged.options, ["ndots:2", "edns0"], "a dnsConfig option replaces the one of the same name")
    }
}
