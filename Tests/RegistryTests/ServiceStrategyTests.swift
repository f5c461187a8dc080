import APIMachinery
@testable import Registry
import XCTest

final class ServiceStrategyTests: XCTestCase {
    let strategy = ServiceStrategy()

    func testSeedServiceGetsDefaults() {
        let (o, errors) = create(strategy, Seed.redisSvc)
        XCTAssertEqual(errors, [])
        let spec = o["spec"] ?? [:]
        XCTAssertEqual(spec["type"], "ClusterIP")
        XCTAssertEqual(spec["sessionAffinity"], "None")
        XCTAssertEqual(spec["internalTrafficPolicy"], "Cluster")
        XCTAssertEqual(spec["ipFamilyPolicy"], "SingleStack")
        XCTAssertEqual(spec["ipFamilies"], ["IPv4"])
        XCTAssertNil(spec["externalTrafficPolicy"])
        XCTAssertEqual(o["status"], ["loadBalancer": [:]])
    }

    func testHeadlessServiceMirrorsClusterIPs() {
        let (o, errors) = create(strategy, Seed.redisHeadlessSvc)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "spec", "clusterIPs"], ["None"])
        let selectorless = modified(Seed.redisHeadlessSvc) { $0.setValue(nil, at: ["spec", "selector"]) }
        let s = create(strategy, selectorless).object
        XCTAssertEqual(s[path: "spec", "ipFamilyPolicy"], "RequireDualStack")
        XCTAssertEqual(s[path: "spec", "ipFamilies"], ["IPv4", "IPv6"])
    }

    func testTargetPortDefaultsToPortAndProtocolToTCP() {
        let svc = modified(Seed.redisSvc) { $0.setValue([["port": 80]], at: ["spec", "ports"]) }
        XCTAssertEqual(create(strategy, svc).object[path: "spec", "ports"], [["port": 80, "protocol": "TCP", "targetPort": 80]])
    }

    func testPortsAreRequiredUnlessHeadless() {
        let svc = modified(Seed.redisSvc) { $0.setValue(nil, at: ["spec", "ports"]) }
        XCTAssertEqual(create(strategy, svc).errors, ["spec.ports: Required value"])
        let headless = modified(Seed.redisHeadlessSvc) { $0.setValue(nil, at: ["spec", "ports"]) }
        XCTAssertEqual(create(strategy, headless).errors, [])
    }

    func testPortRules() {
        let svc = modified(Seed.redisSvc) {
            $0.setValue([["port": 80], ["port": 0, "name": "b", "protocol": "ICMP"], ["port": 80, "name": "c"]], at: ["spec", "ports"])
        }
        XCTAssertEqual(create(strategy, svc).errors, [
            "spec.ports[0].name: Required value",
            "spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
            "spec.ports[1].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            "spec.ports[1].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
            "spec.ports[2]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, "
                + "TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}",
        ])
    }

    func testTypeMustBeSupported() {
        let svc = modified(Seed.redisSvc) { $0.setValue("Magic", at: ["spec", "type"]) }
        XCTAssertEqual(create(strategy, svc).errors, [
            "spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
        ])
    }

    func testNamesAreDNS1035Labels() {
        XCTAssertEqual(strategy.nameValidator("1redis", false).count, 1)
        XCTAssertEqual(strategy.nameValidator("redis-svc", false), [])
    }

    func testClusterIPIsImmutable() {
        let old = modified(create(strategy, Seed.redisSvc).object) {
            $0.setValue("10.96.0.10", at: ["spec", "clusterIP"])
            $0.setValue(["10.96.0.10"], at: ["spec", "clusterIPs"])
        }
        let kept = modified(old) { $0.setValue(nil, at: ["spec", "clusterIP"]); $0.setValue(nil, at: ["spec", "clusterIPs"]) }
        let (o, errors) = update(strategy, kept, old: old)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o[path: "spec", "clusterIP"], "10.96.0.10")
        let changed = modified(old) { $0.setValue("10.96.0.11", at: ["spec", "clusterIP"]) }
        XCTAssertEqual(update(strategy, changed, old: old).errors, [
            "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.11\"}: may not change once set",
        ])
    }

    func testSelectorLabelsAreValidated() {
        let svc = modified(Seed.redisSvc) { $0.setValue("bad value!", at: ["spec", "selector", "app"]) }
        XCTAssertEqual(create(strategy, svc).errors.count, 1)
        XCTAssertTrue(create(strategy, svc).errors[0].hasPrefix("spec.selector: Invalid value: \"bad value!\""))
    }
}
