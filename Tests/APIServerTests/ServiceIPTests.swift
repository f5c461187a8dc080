import APIMachinery
import Registry
import Storage
import XCTest

/// ClusterIPs: allocation from the service CIDR, requests, a full range, release, type changes,
/// immutability, IP-family defaults, and state rebuilt from storage.
final class ServiceIPTests: XCTestCase {
    func testAllocatesFromTheConfiguredRangeAndDefaultsFamilies() throws {
        let s = try ServiceAPI(serviceCIDR: "10.0.0.0/24")
        XCTAssertEqual(s.get("kubernetes")[path: "spec", "clusterIP"], "10.0.0.1")
        let r = s.create(ServiceAPI.service("a"))
        XCTAssertEqual(r.status, 201, r.text)
        let ip = r.json[path: "spec", "clusterIP"]?.stringValue ?? ""
        XCTAssertTrue(ip.hasPrefix("10.0.0."), ip)
        // Dynamic picks prefer the upper band (a /24 reserves the first 16 ordinals for requests).
        XCTAssertGreaterThan(Int(ip.split(separator: ".").last!)!, 16)
        XCTAssertEqual(r.json[path: "spec", "clusterIPs"], [.string(ip)])
        XCTAssertEqual(r.json[path: "spec", "ipFamilies"], ["IPv4"])
        XCTAssertEqual(r.json[path: "spec", "ipFamilyPolicy"], "SingleStack")
        XCTAssertEqual(r.json["status"], ["loadBalancer": [:]])
    }

    func testRequestedIPHonouredOrRefusedWithUpstreamWording() throws {
        let s = try ServiceAPI(serviceCIDR: "10.0.0.0/24")
        XCTAssertEqual(s.create(ServiceAPI.service("a", clusterIP: "10.0.0.10")).json[path: "spec", "clusterIPs"], ["10.0.0.10"])
        let taken = s.create(ServiceAPI.service("b", clusterIP: "10.0.0.10"))
        XCTAssertEqual(taken.status, 422)
        XCTAssertEqual(taken.json["message"], .string(#"Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.10"}: failed to allocate IP 10.0.0.10: provided IP is already allocated"#))
        let outside = s.create(ServiceAPI.service("c", clusterIP: "10.1.0.5"))
        XCTAssertEqual(outside.status, 422)
        XCTAssertEqual(outside.json["message"], .string(#"Service "c" is invalid: spec.clusterIPs: Invalid value: []string{"10.1.0.5"}: failed to allocate IP 10.1.0.5: the provided IP (10.1.0.5) is not in the valid range. The range of valid IPs is 10.0.0.0/24"#))
        XCTAssertEqual(outside.json[path: "details", "causes"]?.arrayValue?.first?["field"], "spec.clusterIPs")
        // Network and broadcast addresses are not in the usable range.
        XCTAssertEqual(s.create(ServiceAPI.service("d", clusterIP: "10.0.0.255")).status, 422)
        XCTAssertEqual(s.create(ServiceAPI.service("e", clusterIP: "10.0.0.0")).status, 422)
    }

    func testFullRangeIsAnInternalError() throws {
        // A /29 has six usable addresses; the kubernetes Service holds the first.
        let s = try ServiceAPI(serviceCIDR: "10.0.0.0/29")
        var seen: Set<String> = ["10.0.0.1"]
        for i in 0..<5 {
            let r = s.create(ServiceAPI.service("s\(i)"))
            XCTAssertEqual(r.status, 201, r.text)
            seen.insert(r.json[path: "spec", "clusterIP"]?.stringValue ?? "")
        }
        XCTAssertEqual(seen, Set((1...6).map { "10.0.0.\($0)" }))
        let full = s.create(ServiceAPI.service("overflow"))
        XCTAssertEqual(full.status, 500)
        XCTAssertEqual(full.json["reason"], "InternalError")
        XCTAssertEqual(full.json["message"], "Internal error occurred: failed to allocate a serviceIP: range is full")
        // Headless and ExternalName Services need no address, so they still fit.
        XCTAssertEqual(s.create(ServiceAPI.service("headless", clusterIP: "None")).status, 201)
        XCTAssertEqual(s.delete("s0").status, 200)
        XCTAssertEqual(s.create(ServiceAPI.service("again")).status, 201)
    }

    func testReleasedOnDeleteAndAfterAFailedCreate() throws {
        let s = try ServiceAPI(serviceCIDR: "10.0.0.0/29")
        let ip = s.create(ServiceAPI.service("a")).json[path: "spec", "clusterIP"]?.stringValue ?? ""
        XCTAssertTrue(s.registry.serviceIPs.isAllocated(ip))
        XCTAssertEqual(s.delete("a").status, 200)
        XCTAssertFalse(s.registry.serviceIPs.isAllocated(ip))
        // An invalid Service takes nothing; a name clash gives its address back.
        XCTAssertEqual(s.create(ServiceAPI.service("bad", ports: [["port": 0]])).status, 422)
        XCTAssertEqual(s.create(ServiceAPI.service("b", clusterIP: "10.0.0.3")).status, 201)
        XCTAssertEqual(s.create(ServiceAPI.service("b", clusterIP: "10.0.0.4")).status, 409)
        XCTAssertFalse(s.registry.serviceIPs.isAllocated("10.0.0.4"))
        XCTAssertEqual(s.registry.serviceIPs.free, 4)
    }

    func testDryRunShowsAnAddressWithoutKeepingIt() throws {
        let s = try ServiceAPI(serviceCIDR: "10.0.0.0/29")
        let r = s.api.call("POST", "/api/v1/namespaces/default/services?dryRun=All", body: ServiceAPI.service("a"))
        XCTAssertEqual(r.status, 201, r.text)
        XCTAssertNotNil(r.json[path: "spec", "clusterIP"]?.stringValue)
        XCTAssertEqual(s.registry.serviceIPs.free, 5)
    }

    func testExternalNameAndHeadlessGetNoAddress() throws {
        let s = try ServiceAPI()
        var external = ServiceAPI.service("ext", type: "ExternalName", ports: [])
        external[path: "spec", "externalName"] = "example.com"
        let e = s.create(external)
        XCTAssertEqual(e.status, 201, e.text)
        XCTAssertNil(e.json[path: "spec", "clusterIP"])
        XCTAssertNil(e.json[path: "spec", "ipFamilies"])
        XCTAssertNil(e.json[path: "spec", "ipFamilyPolicy"])
        let h = s.create(ServiceAPI.service("h", clusterIP: "None"))
        XCTAssertEqual(h.json[path: "spec", "clusterIPs"], ["None"])
        XCTAssertEqual(h.json[path: "spec", "ipFamilies"], ["IPv4"])
        XCTAssertEqual(h.json[path: "spec", "ipFamilyPolicy"], "SingleStack")
        var selectorless = ServiceAPI.service("hs", clusterIP: "None")
        selectorless[path: "spec", "selector"] = nil
        let hs = s.create(selectorless)
        XCTAssertEqual(hs.json[path: "spec", "ipFamilies"], ["IPv4", "IPv6"])
        XCTAssertEqual(hs.json[path: "spec", "ipFamilyPolicy"], "RequireDualStack")
        var single = selectorless
        single[path: "metadata", "name"] = "hs1"
        single[path: "spec", "ipFamilyPolicy"] = "SingleStack"
        XCTAssertEqual(s.create(single).json[path: "spec", "ipFamilies"], ["IPv4"])
    }

    func testFamiliesThisClusterCannotServe() throws {
        let s = try ServiceAPI()
        let dual = s.create(ServiceAPI.service("d", extra: ["ipFamilyPolicy": "RequireDualStack"]))
        XCTAssertEqual(dual.status, 422)
        XCTAssertEqual(dual.json["message"], .string(#"Service "d" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services"#))
        let v6 = s.create(ServiceAPI.service("v6", extra: ["ipFamilies": ["IPv6"]]))
        XCTAssertEqual(v6.json["message"], .string(#"Service "v6" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster"#))
        let prefer = s.create(ServiceAPI.service("p", extra: ["ipFamilyPolicy": "PreferDualStack"]))
        XCTAssertEqual(prefer.status, 201, prefer.text)
        XCTAssertEqual(prefer.json[path: "spec", "ipFamilies"], ["IPv4"])
        XCTAssertEqual(s.registry.serviceIPs.free, (1 << 20) - 2 - 2)
    }

    func testClusterIPIsImmutable() throws {
        let s = try ServiceAPI(serviceCIDR: "10.0.0.0/24")
        var svc = s.create(ServiceAPI.service("a", clusterIP: "10.0.0.20")).json
        svc[path: "spec", "clusterIP"] = "10.0.0.21"
        let r = s.put(svc)
        XCTAssertEqual(r.status, 422)
        XCTAssertEqual(r.json["message"], .string(#"Service "a" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.0.0.21"}: may not change once set"#))
        // A manifest without the allocated address keeps it (kubectl apply).
        var bare = ServiceAPI.service("a")
        bare[path: "metadata", "resourceVersion"] = svc[path: "metadata", "resourceVersion"]
        let kept = s.put(bare)
        XCTAssertEqual(kept.status, 200, kept.text)
        XCTAssertEqual(kept.json[path: "spec", "clusterIP"], "10.0.0.20")
        XCTAssertFalse(s.registry.serviceIPs.isAllocated("10.0.0.21"))
    }

    func testTypeChangesToAndFromExternalName() throws {
        let s = try ServiceAPI(serviceCIDR: "10.0.0.0/29")
        let ip = s.create(ServiceAPI.service("a")).json[path: "spec", "clusterIP"]?.stringValue ?? ""
        let toExternal = s.patch("a", ["spec": ["type": "ExternalName", "externalName": "example.com"]])
        XCTAssertEqual(toExternal.status, 200, toExternal.text)
        XCTAssertNil(toExternal.json[path: "spec", "clusterIP"])
        XCTAssertNil(toExternal.json[path: "spec", "clusterIPs"])
        XCTAssertNil(toExternal.json[path: "spec", "ipFamilies"])
        XCTAssertFalse(s.registry.serviceIPs.isAllocated(ip))
        let back = s.patch("a", ["spec": ["type": "ClusterIP", "externalName": nil]])
        XCTAssertEqual(back.status, 200, back.text)
        let newIP = back.json[path: "spec", "clusterIP"]?.stringValue ?? ""
        XCTAssertTrue(s.registry.serviceIPs.isAllocated(newIP))
        XCTAssertEqual(back.json[path: "spec", "ipFamilyPolicy"], "SingleStack")
        XCTAssertEqual(s.registry.serviceIPs.free, 4)
    }

    func testAllocationStateIsRebuiltFromStoredServices() throws {
        let storage = MemoryStorage()
        let first = try ServiceAPI(serviceCIDR: "10.0.0.0/29", storage: storage)
        let ip = first.create(ServiceAPI.service("a", type: "NodePort")).json
        // A second registry over the same storage (a restart) knows what is taken.
        let second = try ServiceAPI(serviceCIDR: "10.0.0.0/29", storage: storage)
        XCTAssertTrue(second.registry.serviceIPs.isAllocated(ip[path: "spec", "clusterIP"]?.stringValue ?? ""))
        XCTAssertTrue(second.registry.nodePorts.isAllocated(second.nodePorts(ip)[0]))
        XCTAssertEqual(second.registry.serviceIPs.free, 4)
    }

    func testServiceCIDRValidation() {
        XCTAssertNil(ServiceIPAllocator.validate(cidr: "10.96.0.0/12"))
        XCTAssertEqual(ServiceIPAllocator.validate(cidr: "10.0.0.0/8"),
                       "specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12")
        XCTAssertNotNil(ServiceIPAllocator.validate(cidr: "banana"))
    }
}
