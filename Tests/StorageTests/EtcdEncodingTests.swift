import APIMachinery
@testable import Storage
import XCTest

/// The gateway's wire form, and Kubelite's keys in upstream's layout; no etcd needed.
final class EtcdEncodingTests: XCTestCase {
    func testTxnJSONUsesEnumNamesStringRevisionsAndBase64() {
        let txn = EtcdTxn(key: Array("/registry/pods/default/a".utf8), compare: .modRevision(42),
                          success: [.put(value: [0, 255])], failure: [.get])
        let key = JSON.string(Data("/registry/pods/default/a".utf8).base64EncodedString())
        XCTAssertEqual(txn.json, [
            "compare": [["key": key, "target": "MOD", "result": "EQUAL", "mod_revision": "42"]],
            "success": [["request_put": ["key": key, "value": "AP8="]]],
            "failure": [["request_range": ["key": key]]],
        ])
        XCTAssertEqual(EtcdTxn(key: [1], compare: .absent, success: []).json["compare"]?.arrayValue?.first,
                       ["key": "AQ==", "target": "CREATE", "result": "EQUAL", "create_revision": "0"])
        XCTAssertEqual(EtcdTxn(key: [1], compare: .exists, success: [.delete]).json["success"],
                       [["request_delete_range": ["key": "AQ==", "prev_kv": true]]])
    }

    func testPrefixEndAsClientv3() {
        XCTAssertEqual(EtcdBase64.prefixEnd(Array("/registry/".utf8)), Array("/registry0".utf8))
        XCTAssertEqual(EtcdBase64.prefixEnd([0x61, 0xff, 0xff]), [0x62])
        XCTAssertEqual(EtcdBase64.prefixEnd([0xff]), [0])
    }

    func testKeyValueDecodesGatewayForm() throws {
        let kv = try EtcdKeyValue(["key": "YQ==", "value": "e30=", "create_revision": "3", "mod_revision": "7", "version": "2"])
        XCTAssertEqual(kv, try EtcdKeyValue(["key": "YQ==", "value": "e30=", "create_revision": 3, "mod_revision": 7, "version": 2]))
        XCTAssertEqual(kv.version, 2)
        XCTAssertEqual(try EtcdKeyValue(["key": "YQ=="]).version, 0, "absent fields are proto3 defaults")
        XCTAssertEqual(kv.keyString, "a")
        XCTAssertEqual(kv.value, Array("{}".utf8))
        XCTAssertEqual(kv.modRevision, 7)
        XCTAssertThrowsError(try EtcdKeyValue(["value": "e30="]))
    }

    func testKeysAsUpstreamLaysThemOut() {
        let layout = EtcdKeyLayout(prefix: "/registry/", builtinResources: [
            "pods", "nodes", "services", "endpoints", "statefulsets.apps", "clusterroles.rbac.authorization.k8s.io",
            "customresourcedefinitions.apiextensions.k8s.io", "ingresses.networking.k8s.io",
        ])
        let cases: [(StorageKey, String)] = [
            (StorageKey(resource: "pods", namespace: "default", name: "web-0"), "/registry/pods/default/web-0"),
            (StorageKey(resource: "nodes", namespace: "", name: "node-1"), "/registry/minions/node-1"),
            (StorageKey(resource: "services", namespace: "default", name: "web"), "/registry/services/specs/default/web"),
            (StorageKey(resource: "endpoints", namespace: "default", name: "web"), "/registry/services/endpoints/default/web"),
            (StorageKey(resource: "statefulsets.apps", namespace: "ns", name: "db"), "/registry/statefulsets/ns/db"),
            (StorageKey(resource: "clusterroles.rbac.authorization.k8s.io", namespace: "", name: "system:a.b"),
             "/registry/clusterroles/system:a.b"),
            (StorageKey(resource: "customresourcedefinitions.apiextensions.k8s.io", namespace: "", name: "crontabs.stable.example.com"),
             "/registry/apiextensions.k8s.io/customresourcedefinitions/crontabs.stable.example.com"),
            (StorageKey(resource: "crontabs.stable.example.com", namespace: "default", name: "c"), "/registry/stable.example.com/crontabs/default/c"),
            (StorageKey(resource: "crontabs.stable.example.com", namespace: "", name: "c"), "/registry/stable.example.com/crontabs/c"),
            (StorageKey(resource: "ingresses.networking.k8s.io", namespace: "default", name: "i"), "/registry/ingress/default/i"),
        ]
        for (key, path) in cases {
            XCTAssertEqual(layout.key(key), path)
            XCTAssertEqual(layout.storageKey(path), key, path)
        }
        XCTAssertNil(layout.storageKey("/registry/pods/a/b/c"))
        XCTAssertNil(layout.storageKey("/other/pods/a/b"))
        XCTAssertNil(layout.storageKey("/registry/unknown"))
    }

    func testEndpointURLs() {
        XCTAssertEqual(EtcdEndpoint(url: "http://127.0.0.1:2379"), EtcdEndpoint(host: "127.0.0.1", port: 2379))
        XCTAssertEqual(EtcdEndpoint(url: "http://etcd-0"), EtcdEndpoint(host: "etcd-0", port: 2379))
        XCTAssertEqual(EtcdEndpoint(url: "http://[::1]:23790")?.port, 23790)
        XCTAssertEqual(EtcdEndpoint(url: "https://127.0.0.1:2379"), EtcdEndpoint(host: "127.0.0.1", port: 2379, secure: true))
        XCTAssertNil(EtcdEndpoint(url: "grpc://127.0.0.1:2379"))
        XCTAssertNil(EtcdEndpoint(url: "http://host:notaport"))
    }

    func testLineSplitterAcrossChunks() {
        var splitter = EtcdLineSplitter()
        XCTAssertEqual(splitter.append(Array("{\"a\":1}\n{\"b\"".utf8)), [Array("{\"a\":1}".utf8)])
        XCTAssertEqual(splitter.append(Array(":2}\n\n".utf8)), [Array("{\"b\":2}".utf8)])
    }
}
