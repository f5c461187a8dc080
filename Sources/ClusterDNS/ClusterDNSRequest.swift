import ControllerRuntime
/// A query name taken apart as CoreDNS's kubernetes plugin does (`parse.go`). Under the zone:
///
///     _<port>._<protocol>.<service>.<namespace>.svc     SRV-style, port and protocol may be "" (any)
///     <endpoint>.<service>.<namespace>.svc               one endpoint by hostname (or dashed IP)
///     <service>.<namespace>.svc
///     <a-b-c-d>.<namespace>.pod
///
/// Fewer labels (`svc`, `<namespace>.svc`) name existing empty non-terminals (NODATA); more labels,
/// or a kind other than `svc`/`pod`, are invalid (NXDOMAIN).
struct ClusterDNSRequest: Equatable {
    enum Kind: String { case service = "svc", pod = "pod" }

    var kind: Kind?
    var namespace = ""
    var service = ""
    var endpoint = ""
    var port = ""
    var `protocol` = ""

    /// `labels` are the query's lowercased labels left of the zone.
    static func parse(_ labels: [String]) -> ClusterDNSRequest? {
        var r = ClusterDNSRequest()
        if labels.isEmpty || labels == ["svc"] || labels == ["pod"] { return r }
        var rest = labels
        guard let kind = Kind(rawValue: rest.removeLast()) else { return nil }
        r.kind = kind
        guard let namespace = rest.popLast() else { return r }
        r.namespace = namespace
        guard let service = rest.popLast() else { return r }
        r.service = service
        switch rest.count {
        case 0:
            break
        case 1:
            r.endpoint = rest[0]
        case 2:
            r.port = stripUnderscore(rest[0])
            r.protocol = stripUnderscore(rest[1])
        default:
            return nil
        }
        return r
    }

    private static func stripUnderscore(_ s: String) -> String { s.hasPrefix("_") ? String(s.dropFirst()) : s }

    /// CoreDNS's `matchPortAndProtocol`: an empty requested port or protocol matches any.
    func matches(portName: String, protocol proto: String) -> Bool {
        (port.isEmpty || port == portName.lowercased()) && (self.protocol.isEmpty || self.protocol == proto.lowercased())
    }
}
