import APIMachinery
@testable import Node
import XCTest

final class ContainerLaunchTests: XCTestCase {
    let image = ImageCatalogEntry(image: "tool", entrypoint: ["entry"], args: ["cmd", "--flag"], workingDir: "/img",
                                  env: [("IMAGE_VAR", "image"), ("PATH", "/opt/bin:/usr/bin")])
    let pod: JSON = ["metadata": ["name": "p", "namespace": "ns", "uid": "u-1", "labels": ["app": "web"]],
                     "spec": ["nodeName": "kubelite-node", "serviceAccountName": "default"],
                     "status": ["podIP": "10.244.0.5", "hostIP": "172.18.0.2"]]
    let noData: ContainerLaunch.DataSource = { _, _, _ in nil }

    func launch(_ container: JSON, data: ContainerLaunch.DataSource? = nil) throws -> ContainerLaunch {
        try ContainerLaunch.resolve(container: container, pod: pod, hostname: "p", image: image, data: data ?? noData)
    }

    func testCommandAndArgsCombineWithTheImageAsKubernetesDoes() throws {
        XCTAssertEqual(try launch(["name": "c"]).argv, ["entry", "cmd", "--flag"])
        XCTAssertEqual(try launch(["name": "c", "command": ["run"]]).argv, ["run"], "command drops the image's CMD")
        XCTAssertEqual(try launch(["name": "c", "args": ["a"]]).argv, ["entry", "a"], "args replace only the CMD")
        XCTAssertEqual(try launch(["name": "c", "command": ["run"], "args": ["a"]]).argv, ["run", "a"])
    }

    func testVariablesExpandInCommandArgsAndLaterEnv() throws {
        let container: JSON = ["name": "c", "command": ["echo", "$(GREETING)", "$(UNSET)", "$$(GREETING)"],
                               "env": [["name": "NAME", "value": "kube"], ["name": "GREETING", "value": "hello $(NAME)"]]]
        let l = try launch(container)
        XCTAssertEqual(l.argv, ["echo", "hello kube", "$(UNSET)", "$(GREETING)"])
        XCTAssertTrue(l.env.contains("GREETING=hello kube"))
    }

    func testEnvironmentLayersDefaultsImageEnvFromAndEnv() throws {
        let data: ContainerLaunch.DataSource = { resource, namespace, name in
            XCTAssertEqual(namespace, "ns")
            switch (resource, name) {
            case ("configmaps", "cfg"): return ["A": "from-cm", "B": "b"]
            case ("secrets", "sec"): return ["password": "s3cret"]
            default: return nil
            }
        }
        let container: JSON = ["name": "c", "workingDir": "/work",
                               "envFrom": [["configMapRef": ["name": "cfg"]], ["secretRef": ["name": "sec"], "prefix": "S_"],
                                           ["configMapRef": ["name": "absent", "optional": true]]],
                               "env": [["name": "A", "value": "literal"],
                                       ["name": "POD", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
                                       ["name": "IP", "valueFrom": ["fieldRef": ["fieldPath": "status.podIP"]]],
                                       ["name": "APP", "valueFrom": ["fieldRef": ["fieldPath": "metadata.labels['app']"]]],
                                       ["name": "KEY", "valueFrom": ["secretKeyRef": ["name": "sec", "key": "password"]]]]]
        let l = try launch(container, data: data)
        XCTAssertEqual(l.workingDir, "/work")
        XCTAssertEqual(l.env, ["PATH=/opt/bin:/usr/bin", "HOSTNAME=p", "HOME=/root", "IMAGE_VAR=image", "A=literal", "B=b",
                               "S_password=s3cret", "POD=p", "IP=10.244.0.5", "APP=web", "KEY=s3cret"])
        XCTAssertEqual(try launch(["name": "c"]).workingDir, "/img")
    }

    func testMissingReferencesAreTheKubeletsConfigErrors() {
        XCTAssertThrowsError(try launch(["name": "c", "envFrom": [["configMapRef": ["name": "nope"]]]])) {
            XCTAssertEqual("\($0)", "configmap \"nope\" not found")
        }
        let data: ContainerLaunch.DataSource = { _, _, _ in ["other": "x"] }
        XCTAssertThrowsError(try launch(["name": "c", "env": [["name": "K", "valueFrom": ["configMapKeyRef": ["name": "cm", "key": "k"]]]]], data: data)) {
            XCTAssertEqual("\($0)", "couldn't find key k in ConfigMap ns/cm")
        }
        XCTAssertFalse(try launch(["name": "c", "env": [["name": "K", "valueFrom": ["secretKeyRef": ["name": "s", "key": "k", "optional": true]]]]])
            .env.contains { $0.hasPrefix("K=") })
    }

    func testExecutablesAreLookedUpOnThePath() {
        XCTAssertTrue(ContainerLaunch.findExecutable("sh", env: ["PATH=/usr/bin:/bin"]))
        XCTAssertTrue(ContainerLaunch.findExecutable("/bin/sh", env: []))
        XCTAssertFalse(ContainerLaunch.findExecutable("nosuch-program", env: ["PATH=/usr/bin:/bin"]))
    }
}
