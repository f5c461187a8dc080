import APIMachinery
@testable import Registry
import XCTest

/// ConfigMaps, Secrets, Events, Endpoints, EndpointSlices, Leases and ControllerRevisions.
final class NamespacedKindsStrategyTests: XCTestCase {
    func testConfigMapKeysAndImmutability() {
        let strategy = ConfigMapStrategy()
        let cm = json(#"{"metadata":{"name":"c"},"data":{"good.key":"1","bad/key":"2"}}"#)
        let errors = create(strategy, cm).errors
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors[0].hasPrefix("data[bad/key]: Invalid value: \"bad/key\": a valid config key must consist of"))
        let old = json(#"{"metadata":{"name":"c"},"data":{"a":"1"},"immutable":true}"#)
        let new = json(#"{"metadata":{"name":"c"},"data":{"a":"2"}}"#)
        XCTAssertEqual(update(strategy, new, old: old).errors, [
            "immutable: Forbidden: field is immutable when `immutable` is set",
            "data: Forbidden: field is immutable when `immutable` is set",
        ])
    }

    func testConfigMapSizeLimit() {
        let big = String(repeating: "x", count: 1024 * 1024 + 1)
        let cm: JSON = ["metadata": ["name": "c"], "data": ["k": .string(big)]]
        XCTAssertEqual(create(ConfigMapStrategy(), cm).errors, [": Too long: may not be more than 1048576 bytes"])
    }

    func testSecretDefaultsAndTypeRules() {
        let strategy = SecretStrategy()
        let (o, errors) = create(strategy, json(#"{"metadata":{"name":"s"},"stringData":{"user":"admin"}}"#))
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o["type"], "Opaque")
        XCTAssertEqual(o["data"], ["user": "YWRtaW4="])
        XCTAssertNil(o["stringData"])
        let tls = json(#"{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{}}"#)
        XCTAssertEqual(create(strategy, tls).errors, ["data[tls.crt]: Required value", "data[tls.key]: Required value"])
        let retyped = modified(o) { $0["type"] = "kubernetes.io/basic-auth"; $0["data"] = ["username": "YQ=="] }
        XCTAssertEqual(update(strategy, retyped, old: o).errors, [
            "type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable",
        ])
    }

    func testEventNamespaceMustMatchInvolvedObject() {
        let strategy = EventStrategy()
        let event = json("""
        {"metadata":{"name":"web.1","namespace":"default"},"involvedObject":{"kind":"Pod","name":"web","namespace":"other"},
         "reason":"Started","message":"ok"}
        """)
        XCTAssertEqual(create(strategy, event).errors, ["involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"])
        let o = create(strategy, modified(event) { $0.setValue("default", at: ["involvedObject", "namespace"]) })
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.object["firstTimestamp"], .null)
        XCTAssertEqual(o.object["reportingComponent"], "")
        XCTAssertEqual(strategy.nameValidator("a/b", false), ["may not contain '/'"])
    }

    func testEndpointsRules() {
        let strategy = EndpointsStrategy()
        let ep = json(#"{"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80}]}]}"#)
        let (o, errors) = create(strategy, ep)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o["subsets"]?.arrayValue?.first?["ports"], [["port": 80, "protocol": "TCP"]])
        let bad = json(#"{"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"127.0.0.1"}]},{"ports":[{"port":80}]}]}"#)
        XCTAssertEqual(create(strategy, bad).errors, [
            "subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)",
            "subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`",
        ])
    }

    func testEndpointSliceRules() {
        let strategy = EndpointSliceStrategy()
        let slice = json(#"{"metadata":{"name":"s"},"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"]}],"ports":[{"port":80}]}"#)
        let (o, errors) = create(strategy, slice)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(o["ports"], [["port": 80, "name": "", "protocol": "TCP"]])
        XCTAssertEqual(o["endpoints"]?.arrayValue?.first?["conditions"], [:])
        let bad = json(#"{"metadata":{"name":"s"},"addressType":"IPv5","endpoints":[{"addresses":[]}]}"#)
        XCTAssertEqual(create(strategy, bad).errors, [
            "addressType: Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"",
            "endpoints[0].addresses: Required value: must contain at least 1 address",
        ])
        XCTAssertEqual(update(strategy, modified(o) { $0["addressType"] = "IPv6" }, old: o).errors,
                       ["endpoints[0].addresses[0]: Invalid value: \"10.0.0.1\": must be a valid IPv6 address",
                        "addressType: Invalid value: \"IPv6\": field is immutable"])
    }

    func testLeaseRules() {
        let strategy = LeaseStrategy()
        XCTAssertEqual(create(strategy, json(#"{"metadata":{"name":"l"}}"#)).object["spec"], [:])
        let bad = json(#"{"metadata":{"name":"l"},"spec":{"leaseDurationSeconds":0,"leaseTransitions":-1,"preferredHolder":"x"}}"#)
        XCTAssertEqual(create(strategy, bad).errors, [
            "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
            "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0",
            "spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined",
        ])
    }

    func testControllerRevisionRules() {
        let strategy = ControllerRevisionStrategy()
        XCTAssertEqual(create(strategy, json(#"{"metadata":{"name":"r"},"revision":-1}"#)).errors, [
            "data: Required value: data is mandatory",
            "revision: Invalid value: -1: must be greater than or equal to 0",
        ])
        let old = create(strategy, json(#"{"metadata":{"name":"r"},"data":{"a":1},"revision":1}"#)).object
        XCTAssertEqual(update(strategy, modified(old) { $0["data"] = ["a": 2] }, old: old).errors.count, 1)
    }
}
