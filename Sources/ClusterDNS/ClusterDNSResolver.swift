import ControllerRuntime
/// Answers one query as CoreDNS's kubernetes plugin does (its `handler.go` over
/// `plugin/backend_lookup.go`), for the zones `<cluster domain>`, `in-addr.arpa` and `ip6.arpa`:
/// - A/AAAA: a Service's cluster IPs, a headless Service's ready endpoint addresses, one endpoint
///   by hostname, a pod by dashed IP; an ExternalName Service answers its CNAME, followed inside
///   the cluster domain (we have no upstream for names outside it, so the CNAME stands alone);
/// - SRV: one record per port (`_<port>._<proto>.` narrows it), weight 100/n, targets the Service
///   name or, for headless Services, `<endpoint>.<svc>.<ns>.svc.<domain>`, with their addresses as
///   additional records;
/// - PTR: a Service's cluster IP, else the endpoints with that IP;
/// - TXT `dns-version.<domain>` (the DNS schema version), SOA, and NS at the apex;
/// - an existing name without data of the type asked: NOERROR with no answer (NODATA); a name
///   that does not exist: NXDOMAIN; both authoritative with the zone's SOA as authority;
/// - names outside the zones: REFUSED (CoreDNS would forward them; there is no upstream here),
///   and zone transfers: REFUSED.
public final class ClusterDNSResolver: Sendable {
    /// CoreDNS's default TTL for every answer.
    public static let ttl: UInt32 = 5
    /// The kubernetes/dns schema version served at `dns-version.<domain>`.
    public static let schemaVersion = "1.1.0"

    public let domain: DNSName
    let zones: [DNSName]
    let records: ClusterDNSRecords
    let nameserver: [UInt8]
    let serial: @Sendable () -> UInt32

    /// - Parameters:
    ///   - nameserverAddress: the address given for `ns.dns.<domain>` (the NS of the zone).
    public init(context: ControllerContext, clusterDomain: String = "cluster.local",
                podMode: ClusterDNSPodMode = .insecure, nameserverAddress: String = "127.0.0.1") {
        domain = DNSName(clusterDomain).lowercased
        zones = [domain, DNSName("in-addr.arpa"), DNSName("ip6.arpa")]
        records = ClusterDNSRecords(context: context, domain: domain, podMode: podMode)
        nameserver = IPAddressText.parse(nameserverAddress) ?? [127, 0, 0, 1]
        // The newest revision the caches reflect moves with every change they see, as CoreDNS's
        // serial (the time of the last change) does.
        let informers = records.informers
        serial = { UInt32(truncatingIfNeeded: informers.map(\.lastSyncRevision).max() ?? 0) }
    }

    /// The informers the answers are read from (services, endpoints, namespaces, and pods when
    /// pods are verified).
    public var informers: [Informer] { records.informers }

    /// The response to a query holding exactly one question.
    public func respond(to query: DNSMessage) -> DNSMessage {
        var m = DNSMessage()
        m.id = query.id
        m.isResponse = true
        m.opcode = query.opcode
        m.recursionDesired = query.recursionDesired
        m.checkingDisabled = query.checkingDisabled
        m.questions = Array(query.questions.prefix(1))
        guard let q = query.questions.first, q.qclass == dnsClassIN || q.qclass == 255,
              let zone = zones.filter({ q.name.isSubdomain(of: $0) }).max(by: { $0.labels.count < $1.labels.count }),
              q.type != .axfr, q.type != .ixfr
        else {
            m.rcode = UInt8(DNSResponseCode.refused.rawValue)
            return m
        }
        // The zone as the question spells it, as CoreDNS keeps the query's case.
        let spelled = DNSName(labels: Array(q.name.labels.suffix(zone.labels.count)))
        m.authoritative = true
        do {
            var extra: [DNSRecord] = []
            switch q.type {
            case .a, .aaaa: m.answers = try addresses(q.name, q.type, zone: zone, previous: [])
            case .txt: m.answers = text(q.name, zone: zone)
            case .cname: m.answers = try canonicalName(q.name, zone: zone)
            case .ptr: m.answers = try pointers(q.name, zone: zone)
            case .srv: (m.answers, extra) = try services(q.name, zone: zone)
            case .soa: m.answers = [soa(spelled)]
            case .ns where q.name == zone: (m.answers, extra) = nameservers(spelled)
            default: _ = try entries(q.name, q.type, zone: zone)
            }
            m.additionals = extra
            if m.answers.isEmpty { m.authorities = [soa(spelled)] }
        } catch {
            m.answers = []
            m.rcode = UInt8(DNSResponseCode.nameError.rawValue)
            m.authorities = [soa(spelled)]
        }
        return m
    }

    /// CoreDNS's `Services`: entries for a name, the zone's nameserver at `ns.dns.<zone>`, and no
    /// ExternalName targets for SRV.
    func entries(_ name: DNSName, _ type: DNSRecordType, zone: DNSName) throws(ClusterDNSNameError) -> [ClusterDNSEntry] {
        if name == zone.prepending(["ns", "dns"]), let host = IPAddressText.format(nameserver) {
            return [ClusterDNSEntry(owner: name, host: host, port: -1)]
        }
        let found = try records.records(name, zone: zone)
        return type == .srv ? found.filter { $0.address != nil } : found
    }

    func addresses(_ name: DNSName, _ type: DNSRecordType, zone: DNSName, previous: [DNSRecord]) throws(ClusterDNSNameError) -> [DNSRecord] {
        var out: [DNSRecord] = []
        var seen: Set<[UInt8]> = []
        for entry in try entries(name, type, zone: zone) {
            if let address = entry.address {
                guard address.count == (type == .a ? 4 : 16), seen.insert(address).inserted else { continue }
                out.append(DNSRecord(name: name, type: type, ttl: Self.ttl, data: .address(address)))
                continue
            }
            let target = DNSName(entry.host)
            let cname = DNSRecord(name: name, type: .cname, ttl: Self.ttl, data: .name(target))
            // Loops and chains longer than 8 are cut, as CoreDNS does.
            if target == name || previous.count > 7 || previous.contains(where: { $0.data == cname.data }) { continue }
            if target.isSubdomain(of: zone) {
                if let next = try? addresses(target, type, zone: zone, previous: previous + [cname]), !next.isEmpty {
                    out += [cname] + next
                }
                continue
            }
            out.append(cname)
        }
        return out
    }

    func canonicalName(_ name: DNSName, zone: DNSName) throws(ClusterDNSNameError) -> [DNSRecord] {
        guard let first = try entries(name, .cname, zone: zone).first, first.address == nil else { return [] }
        return [DNSRecord(name: name, type: .cname, ttl: Self.ttl, data: .name(DNSName(first.host)))]
    }

    func services(_ name: DNSName, zone: DNSName) throws(ClusterDNSNameError) -> ([DNSRecord], [DNSRecord]) {
        let found = try entries(name, .srv, zone: zone)
        let weight = found.isEmpty ? 0 : UInt16(max(1, 100 / found.count))
        var answers: [DNSRecord] = [], extra: [DNSRecord] = []
        var seenTargets: Set<String> = [], seenAddresses: Set<String> = []
        for entry in found where entry.port >= 0 {
            guard let address = entry.address else { continue }
            if seenTargets.insert("\(entry.owner.lowercased)|\(entry.port)").inserted {
                answers.append(DNSRecord(name: name, type: .srv, ttl: Self.ttl,
                                         data: .service(priority: 0, weight: weight, port: UInt16(truncatingIfNeeded: entry.port), target: entry.owner)))
            }
            if seenAddresses.insert("\(entry.owner.lowercased)|\(entry.host)").inserted {
                extra.append(DNSRecord(name: entry.owner, type: address.count == 4 ? .a : .aaaa, ttl: Self.ttl, data: .address(address)))
            }
        }
        return (answers, extra)
    }

    func pointers(_ name: DNSName, zone: DNSName) throws(ClusterDNSNameError) -> [DNSRecord] {
        guard let address = IPAddressText.fromReverse(name) else {
            _ = try records.records(name, zone: zone)
            return []
        }
        var seen: Set<DNSName> = []
        let targets = records.reverse(address).filter { seen.insert($0).inserted }
        if targets.isEmpty { throw ClusterDNSNameError() }
        return targets.map { DNSRecord(name: name, type: .ptr, ttl: Self.ttl, data: .name($0)) }
    }

    /// Only `dns-version.<domain>` holds text; every other name answers NODATA, as in CoreDNS.
    func text(_ name: DNSName, zone: DNSName) -> [DNSRecord] {
        guard name.relativeLabels(to: zone) == ["dns-version"] else { return [] }
        return [DNSRecord(name: name, type: .txt, ttl: 28800, data: .text([Array(Self.schemaVersion.utf8)]))]
    }

    func nameservers(_ zone: DNSName) -> ([DNSRecord], [DNSRecord]) {
        let host = zone.prepending(["ns", "dns"])
        let glue = DNSRecord(name: host, type: nameserver.count == 4 ? .a : .aaaa, ttl: Self.ttl, data: .address(nameserver))
        return ([DNSRecord(name: zone, type: .ns, ttl: Self.ttl, data: .name(host))], [glue])
    }

    /// The zone's SOA as CoreDNS writes it: `ns.dns.<zone>`, `hostmaster.<zone>`, refresh 7200,
    /// retry 1800, expire 86400, minimum and TTL 5.
    func soa(_ zone: DNSName) -> DNSRecord {
        DNSRecord(name: zone, type: .soa, ttl: Self.ttl, data: .authority(
            mname: zone.prepending(["ns", "dns"]), rname: zone.prepending(["hostmaster"]),
            serial: serial(), refresh: 7200, retry: 1800, expire: 86400, minimum: Self.ttl))
    }
}
