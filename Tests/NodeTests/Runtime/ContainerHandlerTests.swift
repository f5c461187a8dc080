import APIMachinery
@testable import Node
import XCTest

/// Reading probe and hook handlers from the pod spec.
final class ContainerHandlerTests: XCTestCase {
    let container: JSON = ["name": "web", "ports": [["name": "http", "containerPort": 8080]]]

    func testHTTPGetResolvesNamedPortsAndDefaults() throws {
        let handler = try ContainerHandler.parse(["httpGet": ["port": "http"]], container: container)
        XCTAssertEqual(handler, .httpGet(.init(scheme: "HTTP", host: nil, port: 8080, path: "/", headers: [])))
        XCTAssertEqual(try ContainerHandler.parse(["tcpSocket": ["port": 6379, "host": ""]], container: container), .tcpSocket(host: nil, port: 6379))
        XCTAssertThrowsError(try ContainerHandler.parse(["tcpSocket": ["port": "nope"]], container: container)) {
            XCTAssertEqual("\($0)", "couldn't find port: nope in web")
        }
    }

    func testProbeDefaultsAreUpstreams() throws {
        let probe = try XCTUnwrap(ContainerProbe(.liveness, container: ["livenessProbe": ["exec": ["command": ["true"]]]]))
        XCTAssertEqual([probe.period, probe.timeout, probe.initialDelay], [10, 1, 0])
        XCTAssertEqual([probe.successThreshold, probe.failureThreshold], [1, 3])
    }

    func testHookMessagesQuoteAsGoDoes() {
        XCTAssertEqual(ProcessPodRuntime.goQuote("a\"b\n"), "\"a\\\"b\\n\"")
    }

    func testTimeoutMessages() {
        XCTAssertEqual(ProcessPodRuntime.timeoutMessage(.tcpSocket(host: nil, port: 80)), "dial tcp 127.0.0.1:80: i/o timeout")
        XCTAssertEqual(ProcessPodRuntime.timeoutMessage(.tcpSocket(host: nil, port: 80), podIP: "10.244.0.7"), "dial tcp 10.244.0.7:80: i/o timeout")
        XCTAssertEqual(ProcessPodRuntime.timeoutMessage(.httpGet(.init(scheme: "HTTP", host: nil, port: 80, path: "/x", headers: []))),
                       "Get \"http://127.0.0.1:80/x\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
    }
}

extension ContainerHandlerTests {
    func testAProbesHostNameIsResolved() {
        let address = NetworkProbe.resolve("localhost")
        XCTAssertEqual(address.map { String(cString: inet_ntoa($0)) }, "127.0.0.1")
        XCTAssertNil(NetworkProbe.resolve("no-such-host.invalid"))
    }
}
