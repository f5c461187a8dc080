import APIMachinery
@testable import Registry
import XCTest

final class PodStrategyTests: XCTestCase {
    let strategy = PodStrategy()

    static let pod = json("""
    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default"},
     "spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80,"name":"http"}],
       "livenessProbe":{"httpGet":{"port":80}}}]}}
    """)

    func pod(_ change: (inout JSON) -> Void) -> JSON { modified(Self.pod, change) }
    func container(_ change: @escaping (inout JSON) -> Void) -> JSON {
        pod { $0.modifyPath("spec") { $0.modifyEach("containers", change) } }
    }

    func testValidPodGetsDefaultsAdmissionAndStatus() {
        let (o, errors) = create(strategy, Self.pod)
        XCTAssertEqual(errors, [])
        let spec = o["spec"] ?? [:]
        XCTAssertEqual(spec["restartPolicy"], "Always")
        XCTAssertEqual(spec["terminationGracePeriodSeconds"], 30)
        XCTAssertEqual(spec["dnsPolicy"], "ClusterFirst")
        XCTAssertEqual(spec["schedulerName"], "default-scheduler")
        XCTAssertEqual(spec["securityContext"], [:])
        XCTAssertEqual(spec["enableServiceLinks"], true)
        XCTAssertEqual(spec["preemptionPolicy"], "PreemptLowerPriority")
        XCTAssertEqual(spec["priority"], 0)
        XCTAssertEqual(spec["serviceAccountName"], "default")
        XCTAssertEqual(spec["serviceAccount"], "default")
        XCTAssertEqual(spec["tolerations"], [
            ["effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300],
            ["effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300],
        ])
        let c = spec["containers"]?.arrayValue?.first ?? [:]
        XCTAssertEqual(c["imagePullPolicy"], "Always")
        XCTAssertEqual(c[path: "livenessProbe"], ["httpGet": ["port": 80, "path": "/", "scheme": "HTTP"],
                                                  "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3])
        let mount = c["volumeMounts"]?.arrayValue?.first
        XCTAssertEqual(mount?["mountPath"], "/var/run/secrets/kubernetes.io/serviceaccount")
        XCTAssertTrue(spec["volumes"]?.arrayValue?.first?.string("name").hasPrefix("kube-api-access-") ?? false)
        XCTAssertEqual(o["status"], ["phase": "Pending", "qosClass": "BestEffort"])
    }

    func testImagePullPolicyFollowsTheTag() {
        XCTAssertEqual(PodSpecDefaults.imageTag("nginx"), "latest")
        XCTAssertEqual(PodSpecDefaults.imageTag("redis:5-alpine"), "5-alpine")
        XCTAssertEqual(PodSpecDefaults.imageTag("localhost:5000/app"), "latest")
        XCTAssertEqual(PodSpecDefaults.imageTag("app@sha256:abc"), "")
    }

    func testQOSClasses() {
        let guaranteed = container { $0["resources"] = ["limits": ["cpu": "500m", "memory": "128Mi"]] }
        let o = create(strategy, guaranteed).object
        XCTAssertEqual(o[path: "status", "qosClass"], "Guaranteed")
        XCTAssertEqual(o[path: "spec"]?.array("containers").first?[path: "resources", "requests"], ["cpu": "500m", "memory": "128Mi"])
        let burstable = container { $0["resources"] = ["requests": ["cpu": "0.5"]] }
        let b = create(strategy, burstable).object
        XCTAssertEqual(b[path: "status", "qosClass"], "Burstable")
        XCTAssertEqual(b[path: "spec"]?.array("containers").first?[path: "resources", "requests", "cpu"], "500m")
    }

    func testContainerNameRules() {
        let bad = container { $0["name"] = "Web_1" }
        XCTAssertEqual(create(strategy, bad).errors, [
            "spec.containers[0].name: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric "
                + "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ])
        let dup = pod { $0.modifyPath("spec") { s in s["containers"] = .array(s.array("containers") + s.array("containers")) } }
        XCTAssertEqual(create(strategy, dup).errors, ["spec.containers[1].name: Duplicate value: \"web\""])
    }

    func testImageIsRequired() {
        XCTAssertEqual(create(strategy, container { $0["image"] = nil }).errors, ["spec.containers[0].image: Required value"])
    }

    func testPortRules() {
        let bad = container {
            $0["ports"] = [["containerPort": 70000, "protocol": "HTTP"], ["containerPort": 80, "name": "http"], ["containerPort": 81, "name": "http"]]
        }
        XCTAssertEqual(create(strategy, bad).errors, [
            "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            "spec.containers[0].ports[2].name: Duplicate value: \"http\"",
        ])
    }

    func testVolumeMountsMustReferenceVolumes() {
        let bad = pod {
            $0.setValue(false, at: ["spec", "automountServiceAccountToken"])
            $0.modifyPath("spec") { $0.modifyEach("containers") { $0["volumeMounts"] = [["name": "data", "mountPath": "/data"]] } }
        }
        XCTAssertEqual(create(strategy, bad).errors, ["spec.containers[0].volumeMounts[0].name: Not found: \"data\""])
        let dupVolumes = modified(bad) {
            $0.setValue([["name": "data", "emptyDir": [:]], ["name": "data", "emptyDir": [:]]], at: ["spec", "volumes"])
        }
        XCTAssertEqual(create(strategy, dupVolumes).errors, ["spec.volumes[1].name: Duplicate value: \"data\""])
    }

    func testVolumeWithoutSourceIsAnEmptyDir() {
        let o = create(strategy, pod { $0.setValue([["name": "scratch"]], at: ["spec", "volumes"]) }).object
        XCTAssertEqual(o[path: "spec"]?.array("volumes").first, ["name": "scratch", "emptyDir": [:]])
    }

    func testResourceRules() {
        let bad = container { $0["resources"] = ["limits": ["cpu": "1"], "requests": ["cpu": "2", "memory": "-1"]] }
        XCTAssertEqual(create(strategy, bad).errors, [
            "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
            "spec.containers[0].resources.requests[memory]: Invalid value: \"-1\": must be greater than or equal to 0",
        ])
    }

    func testPolicyEnums() {
        let bad = pod {
            $0.setValue("Sometimes", at: ["spec", "restartPolicy"])
            $0.setValue("Cluster", at: ["spec", "dnsPolicy"])
        }
        XCTAssertEqual(create(strategy, bad).errors, [
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            "spec.dnsPolicy: Unsupported value: \"Cluster\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"",
        ])
    }

    func testProbeNeedsExactlyOneHandler() {
        let none = container { $0["readinessProbe"] = ["periodSeconds": 5] }
        XCTAssertEqual(create(strategy, none).errors, ["spec.containers[0].readinessProbe: Required value: must specify a handler type"])
        let two = container { $0["readinessProbe"] = ["exec": ["command": ["true"]], "tcpSocket": ["port": 80]] }
        XCTAssertEqual(create(strategy, two).errors,
                       ["spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"])
    }

    func testEnvNames() {
        let bad = container { $0["env"] = [["name": "A=B", "value": "x"], ["value": "y"]] }
        XCTAssertEqual(create(strategy, bad).errors, [
            "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
            "spec.containers[0].env[1].name: Required value",
            "spec.containers[0].env[1].name: Invalid value: \"\": environment variable name must be non-empty",
        ])
    }

    func testUpdateMayChangeImagesOnly() {
        let old = create(strategy, Self.pod).object
        let newImage = modified(old) { $0.modifyPath("spec") { $0.modifyEach("containers") { $0["image"] = "nginx:1.27" } } }
        XCTAssertEqual(update(strategy, newImage, old: old).errors, [])
        let newPorts = modified(old) { $0.modifyPath("spec") { $0.modifyEach("containers") { $0["ports"] = [] } } }
        XCTAssertEqual(update(strategy, newPorts, old: old).errors, ["spec: Forbidden: " + PodStrategy.immutableSpecMsg])
    }
}
