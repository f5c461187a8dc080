import ControllerRuntime
/// Pod addresses of one node's pod CIDR (a /24: 10.244.N.0/24), handed out as host-local IPAM
/// does: .1 is the bridge, addresses go round-robin from the last one given (so a recreated pod
/// gets a new address), and each is held by one pod UID until released.
struct PodIPAllocator {
    let prefix: String
    private var holders: [Int: String] = [:]  // host octet → pod uid
    private var byPod: [String: Int] = [:]
    private var last = 1

    /// `cidr` is `a.b.c.0/24`.
    init(cidr: String) {
        let network = cidr.split(separator: "/").first.map(String.init) ?? cidr
        prefix = network.split(separator: ".").prefix(3).joined(separator: ".")
    }

    /// The address of `uid`, allocating one if it has none; nil when the range is exhausted.
    mutating func allocate(_ uid: String) -> String? {
        if let octet = byPod[uid] { return address(octet) }
        for step in 1...253 {
            let octet = (last - 2 + step) % 253 + 2
            if holders[octet] == nil {
                holders[octet] = uid
                byPod[uid] = octet
                last = octet
                return address(octet)
            }
        }
        return nil
    }

    /// Marks an address a pod already reports (after a restart) as held by it; false when the
    /// address is outside the range or held by another pod.
    mutating func reserve(_ ip: String, for uid: String) -> Bool {
        guard ip.hasPrefix(prefix + "."), let octet = Int(ip.dropFirst(prefix.count + 1)), (2...254).contains(octet) else { return false }
        if let holder = holders[octet] { return holder == uid }
        if let previous = byPod[uid] { holders[previous] = nil }
        holders[octet] = uid
        byPod[uid] = octet
        return true
    }

    mutating func release(_ uid: String) {
        guard let octet = byPod.removeValue(forKey: uid) else { return }
        holders[octet] = nil
    }

    var allocatedCount: Int { byPod.count }

    private func address(_ octet: Int) -> String { "\(prefix).\(octet)" }
}
