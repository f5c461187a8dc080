import APIMachinery
import Foundation
@testable import Node
import Synchronization
import XCTest

final class VolumeProjectionTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = NSTemporaryDirectory() + "projection-\(UUID().uuidString.prefix(8))" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    let pod: JSON = [
        "metadata": ["name": "web-0", "namespace": "shop", "uid": "u-1",
                     "labels": ["tier": "front", "app": "web"], "annotations": ["note": "say \"hi\"\n"]],
        "spec": ["containers": [["name": "c", "resources": ["requests": ["cpu": "250m", "memory": "64Mi"], "limits": ["memory": "128Mi"]]]]],
    ]

    func lookup(_ resource: String, _ namespace: String, _ name: String) -> JSON? {
        switch (resource, name) {
        case ("configmaps", "settings"): return ["data": ["a": "1", "b": "2"], "binaryData": ["bin": "AAE="]]
        case ("secrets", "creds"): return ["data": ["password": "czNjcjN0"]]
        default: return nil
        }
    }

    func files(_ volume: JSON) throws -> [String: String] {
        let files = try VolumeProjection.files(volume, pod: pod, lookup: lookup) ?? []
        return Dictionary(uniqueKeysWithValues: files.map { ($0.path, String(decoding: $0.data, as: UTF8.self)) })
    }

    func testConfigMapsAndSecretsWithItemsAndModes() throws {
        XCTAssertEqual(try files(["configMap": ["name": "settings"]]), ["a": "1", "b": "2", "bin": "\u{0}\u{1}"])
        XCTAssertEqual(try files(["secret": ["secretName": "creds"]]), ["password": "s3cr3t"])
        let items = try XCTUnwrap(try VolumeProjection.files(["configMap": ["name": "settings", "defaultMode": 0o400,
                                                                            "items": [["key": "a", "path": "conf/a.txt", "mode": 0o600], ["key": "b", "path": "b"]]]],
                                                             pod: pod, lookup: lookup))
        XCTAssertEqual(items.map(\.path), ["conf/a.txt", "b"])
        XCTAssertEqual(items.map(\.mode), [0o600, 0o400])
        XCTAssertThrowsError(try files(["configMap": ["name": "settings", "items": [["key": "zzz", "path": "z"]]]])) {
            XCTAssertEqual("\($0)", "configmap references non-existent config key: zzz")
        }
        XCTAssertThrowsError(try files(["secret": ["secretName": "nope"]])) { XCTAssertEqual("\($0)", "secret \"nope\" not found") }
        XCTAssertEqual(try files(["secret": ["secretName": "nope", "optional": true]]), [:])
    }

    func testDownwardAPIFilesAndProjectedSources() throws {
        let downward: JSON = ["downwardAPI": ["items": [
            ["path": "labels", "fieldRef": ["fieldPath": "metadata.labels"]],
            ["path": "annotations", "fieldRef": ["fieldPath": "metadata.annotations"]],
            ["path": "name", "fieldRef": ["fieldPath": "metadata.name"]],
            ["path": "cpu", "resourceFieldRef": ["containerName": "c", "resource": "requests.cpu", "divisor": "1m"]],
            ["path": "mem", "resourceFieldRef": ["containerName": "c", "resource": "limits.memory", "divisor": "1Mi"]],
        ]]]
        XCTAssertEqual(try files(downward), ["labels": "app=\"web\"\ntier=\"front\"", "annotations": "note=\"say \\\"hi\\\"\\n\"",
                                             "name": "web-0", "cpu": "250", "mem": "128"])
        let projected: JSON = ["projected": ["sources": [
            ["configMap": ["name": "settings", "items": [["key": "a", "path": "a"]]]],
            ["secret": ["name": "creds"]],
            ["downwardAPI": ["items": [["path": "ns", "fieldRef": ["fieldPath": "metadata.namespace"]]]]],
        ]]]
        XCTAssertEqual(try files(projected), ["a": "1", "password": "s3cr3t", "ns": "shop"])
        XCTAssertThrowsError(try files(["projected": ["sources": [["serviceAccountToken": ["path": "token"]]]]])) {
            XCTAssertEqual("\($0)", "failed to fetch token: no TokenRequest source")
        }
        // The ServiceAccount admission's volume needs kube-root-ca.crt, as the kubelet does.
        let access: JSON = ["name": "kube-api-access-x1y2z", "projected": ["sources": [
            ["configMap": ["name": "kube-root-ca.crt", "items": [["key": "ca.crt", "path": "ca.crt"]]]],
            ["downwardAPI": ["items": [["path": "namespace", "fieldRef": ["fieldPath": "metadata.namespace"]]]]],
        ]]]
        XCTAssertThrowsError(try files(access)) { XCTAssertEqual("\($0)", "configmap \"kube-root-ca.crt\" not found") }
    }

    func testServiceAccountTokensAreRequestedBoundToThePodAndCached() throws {
        let now = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
        let requests = Mutex<[(String, String, JSON)]>([])
        let tokens = ProjectedServiceAccountTokens(clock: { now.withLock { $0 } }) { namespace, account, body throws(APIError) in
            let count = requests.withLock { $0.append((namespace, account, body)); return $0.count }
            if account == "missing" { throw APIError.notFound(GroupResource(group: "", resource: "serviceaccounts"), account) }
            let expiry = now.withLock { $0 }.addingTimeInterval(TimeInterval(body[path: "spec", "expirationSeconds"]?.intValue ?? 0))
            return ["status": ["token": .string("token-\(count)"), "expirationTimestamp": .string(Timestamp.format(expiry))]]
        }
        let volume: JSON = ["projected": ["defaultMode": 0o440, "sources": [
            ["serviceAccountToken": ["path": "token", "expirationSeconds": 3607]],
            ["serviceAccountToken": ["path": "vault", "audience": "vault", "expirationSeconds": 600]],
        ]]]
        let first = try XCTUnwrap(try VolumeProjection.files(volume, pod: pod, lookup: lookup, tokens: tokens))
        XCTAssertEqual(first.map(\.path), ["token", "vault"])
        XCTAssertEqual(first.map { String(decoding: $0.data, as: UTF8.self) }, ["token-1", "token-2"])
        XCTAssertEqual(first.map(\.mode), [0o440, 0o440])
        let (namespace, account, body) = requests.withLock { $0[0] }
        XCTAssertEqual([namespace, account], ["shop", "default"])
        XCTAssertEqual(body[path: "spec", "boundObjectRef"], ["apiVersion": "v1", "kind": "Pod", "name": "web-0", "uid": "u-1"])
        XCTAssertNil(body[path: "spec", "audiences"])
        XCTAssertEqual(requests.withLock { $0[1] }.2[path: "spec", "audiences"], ["vault"])

        // Refreshes reuse the tokens until 80% of their lifetime has passed.
        _ = try VolumeProjection.files(volume, pod: pod, lookup: lookup, tokens: tokens)
        XCTAssertEqual(requests.withLock { $0.count }, 2)
        now.withLock { $0 = $0.addingTimeInterval(481) }
        let later = try XCTUnwrap(try VolumeProjection.files(volume, pod: pod, lookup: lookup, tokens: tokens))
        XCTAssertEqual(later.map { String(decoding: $0.data, as: UTF8.self) }, ["token-1", "token-3"])

        var other = pod
        other[path: "spec", "serviceAccountName"] = "missing"
        other[path: "metadata", "uid"] = "u-2"
        XCTAssertThrowsError(try VolumeProjection.files(volume, pod: other, lookup: lookup, tokens: tokens)) {
            XCTAssertEqual("\($0)", "failed to fetch token: serviceaccounts \"missing\" not found")
        }
    }

    func testResourceFieldValuesRoundUpAndDefaultLimitsToTheNode() throws {
        let c: JSON = ["resources": ["requests": ["cpu": "250m", "memory": "100Mi"], "limits": ["cpu": "1500m"]]]
        XCTAssertEqual(try ResourceFieldValue.value(resource: "limits.cpu", divisor: nil, container: c), "2")
        XCTAssertEqual(try ResourceFieldValue.value(resource: "requests.cpu", divisor: "1m", container: c), "250")
        XCTAssertEqual(try ResourceFieldValue.value(resource: "requests.memory", divisor: "1Mi", container: c), "100")
        XCTAssertEqual(try ResourceFieldValue.value(resource: "limits.memory", divisor: "1Gi", container: c), "16", "the node's allocatable")
        XCTAssertEqual(try ResourceFieldValue.value(resource: "requests.ephemeral-storage", divisor: nil, container: c), "0")
        XCTAssertThrowsError(try ResourceFieldValue.value(resource: "limits.gpu", divisor: nil, container: c))
    }

    func testAtomicWriterSwapsTheDataLinkAndSkipsUnchangedContent() throws {
        let first = [AtomicVolumeWriter.File(path: "a", data: Data("1".utf8), mode: 0o644),
                     AtomicVolumeWriter.File(path: "dir/b", data: Data("2".utf8), mode: 0o600)]
        XCTAssertTrue(try AtomicVolumeWriter.write(first, to: directory))
        let fm = FileManager.default
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: "\(directory)/a"), "..data/a")
        XCTAssertEqual(try String(contentsOfFile: "\(directory)/dir/b", encoding: .utf8), "2")
        XCTAssertEqual(try fm.attributesOfItem(atPath: "\(directory)/dir/b")[.posixPermissions] as? Int, 0o600)
        let before = try fm.destinationOfSymbolicLink(atPath: "\(directory)/..data")
        XCTAssertFalse(try AtomicVolumeWriter.write(first, to: directory), "nothing to do")

        let second = [AtomicVolumeWriter.File(path: "a", data: Data("one".utf8), mode: 0o644)]
        XCTAssertTrue(try AtomicVolumeWriter.write(second, to: directory, now: Date().addingTimeInterval(1)))
        XCTAssertEqual(try String(contentsOfFile: "\(directory)/a", encoding: .utf8), "one")
        XCTAssertFalse(fm.fileExists(atPath: "\(directory)/dir"), "a name that went away is removed")
        XCTAssertFalse(fm.fileExists(atPath: "\(directory)/\(before)"), "the old timestamped directory is removed")
        XCTAssertTrue(try fm.destinationOfSymbolicLink(atPath: "\(directory)/..data").hasPrefix("..20"))
    }
}
