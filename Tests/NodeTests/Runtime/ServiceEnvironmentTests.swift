import APIMachinery
@testable import Node
import XCTest

/// The Service variables every container gets, as pkg/kubelet/envvars writes them.
final class ServiceEnvironmentTests: XCTestCase {
    static let kubernetes: JSON = ["metadata": ["name": "kubernetes", "namespace": "default"],
                            "spec": ["clusterIP": "10.96.0.1", "ports": [["name": "https", "port": 443, "protocol": "TCP"]]]]
    static let redis: JSON = ["metadata": ["name": "redis-primary", "namespace": "ns"],
                       "spec": ["clusterIP": "10.96.0.20", "ports": [["port": 6379], ["name": "metrics", "port": 9121, "protocol": "UDP"]]]]
    static let headless: JSON = ["metadata": ["name": "peers", "namespace": "ns"], "spec": ["clusterIP": "None", "ports": [["port": 80]]]]

    let services: ContainerLaunch.ServiceSource = { namespace in
        namespace == "default" ? [ServiceEnvironmentTests.kubernetes] : [ServiceEnvironmentTests.redis, ServiceEnvironmentTests.headless]
    }

    func variables(_ pod: JSON) -> [String: String] {
        Dictionary(ServiceEnvironment.variables(for: pod, services: services).map { ($0.name, $0.value) }, uniquingKeysWith: { _, b in b })
    }

    func testTheMasterServiceAndTheNamespacesServicesWithAClusterIP() {
        let env = variables(["metadata": ["name": "p", "namespace": "ns"], "spec": [:]])
        XCTAssertEqual(env["KUBERNETES_SERVICE_HOST"], "10.96.0.1")
        XCTAssertEqual(env["KUBERNETES_SERVICE_PORT"], "443")
        XCTAssertEqual(env["KUBERNETES_SERVICE_PORT_HTTPS"], "443")
        XCTAssertEqual(env["KUBERNETES_PORT"], "tcp://10.96.0.1:443")
        XCTAssertEqual(env["KUBERNETES_PORT_443_TCP"], "tcp://10.96.0.1:443")
        XCTAssertEqual(env["KUBERNETES_PORT_443_TCP_PROTO"], "tcp")
        XCTAssertEqual(env["KUBERNETES_PORT_443_TCP_PORT"], "443")
        XCTAssertEqual(env["KUBERNETES_PORT_443_TCP_ADDR"], "10.96.0.1")
        XCTAssertEqual(env["REDIS_PRIMARY_SERVICE_HOST"], "10.96.0.20")
        XCTAssertEqual(env["REDIS_PRIMARY_SERVICE_PORT"], "6379", "the first port, named or not")
        XCTAssertEqual(env["REDIS_PRIMARY_SERVICE_PORT_METRICS"], "9121")
        XCTAssertEqual(env["REDIS_PRIMARY_PORT"], "tcp://10.96.0.20:6379")
        XCTAssertEqual(env["REDIS_PRIMARY_PORT_9121_UDP"], "udp://10.96.0.20:9121")
        XCTAssertNil(env["PEERS_SERVICE_HOST"], "a headless Service has no variables")
    }

    func testEnableServiceLinksFalseKeepsOnlyTheMasterService() {
        let env = variables(["metadata": ["name": "p", "namespace": "ns"], "spec": ["enableServiceLinks": false]])
        XCTAssertEqual(env["KUBERNETES_SERVICE_HOST"], "10.96.0.1")
        XCTAssertNil(env["REDIS_PRIMARY_SERVICE_HOST"])
    }

    func testContainerEnvMayReferToServiceVariablesAndOverrideThem() throws {
        let image = ImageCatalogEntry(image: "tool", entrypoint: ["entry"], args: [], workingDir: nil, env: [])
        let container: JSON = ["name": "c", "env": [["name": "API", "value": "https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)"],
                                                    ["name": "REDIS_PRIMARY_SERVICE_PORT", "value": "1"]]]
        let launch = try ContainerLaunch.resolve(container: container, pod: ["metadata": ["name": "p", "namespace": "ns"], "spec": [:]],
                                                 hostname: "p", image: image, data: { _, _, _ in nil }, services: services)
        XCTAssertTrue(launch.env.contains("API=https://10.96.0.1:443"))
        XCTAssertTrue(launch.env.contains("REDIS_PRIMARY_SERVICE_PORT=1"))
        XCTAssertEqual(launch.env.filter { $0.hasPrefix("REDIS_PRIMARY_SERVICE_PORT=") }.count, 1)
    }
}
