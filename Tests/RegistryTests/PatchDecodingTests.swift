import APIMachinery
import Foundation
@testable import Registry
import Storage
import XCTest

/// A merge or strategic patch decodes only the top-level members it names: the outcome (object,
/// warnings, errors) must be what decoding the whole patched object gives.
final class PatchDecodingTests: XCTestCase {
    var registry: Registry!

    override func setUpWithError() throws {
        registry = Registry(storage: MemoryStorage(), strategies: StrategyCatalog.all, schemas: SchemaSet.upstream)
        try registry.bootstrap()
    }

    override func tearDown() { registry.stopWatches() }

    func outcome(_ f: () throws(APIError) -> (object: JSON, warnings: [String])) -> String {
        do {
            let (object, warnings) = try f()
            return String(decoding: JSONWriter.encode(object), as: UTF8.self) + " warnings: \(warnings)"
        } catch {
            return "error: " + String(decoding: JSONWriter.encode(error.status), as: UTF8.self)
        }
    }

    func testDecodingWhatThePatchNamesEqualsDecodingTheWholeObject() throws {
        let pods = registry.store(group: "", plural: "pods")!
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "labels": ["app": "a"]],
                         "spec": ["containers": [["name": "c", "image": "redis"]]]]
        let stored = try pods.create(namespace: "default", body: RequestBody(value: pod), options: WriteOptions()).object
        let patches: [(PatchType, JSON)] = [
            (.merge, ["metadata": ["annotations": ["n": "1"]]]),
            (.merge, ["metadata": ["annotations": ["n": "1"], "unknownMeta": true]]),
            (.merge, ["spec": ["containers": [["name": "d", "image": "nginx", "bogus": 1]]]]),
            (.merge, ["spec": ["activeDeadlineSeconds": "soon"]]),
            (.merge, ["status": nil, "extra": ["x": 1]]),
            (.merge, ["apiVersion": "v2"]),
            (.merge, ["kind": nil]),
            (.strategic, ["spec": ["containers": [["name": "e", "image": "busybox"]]]]),
            (.strategic, ["metadata": ["labels": ["app": nil, "tier": "web"]]]),
        ]
        for validation in [FieldValidationDirective.strict, .warn, .ignore] {
            let options = WriteOptions(fieldValidation: validation)
            for (type, patch) in patches {
                let patched = try pods.applyPatch(type, patch, to: stored)
                let body = RequestBody(value: patch)
                XCTAssertEqual(outcome { () throws(APIError) in try pods.decodePatched(patched, original: stored, type: type, patch: body, options: options) },
                               outcome { () throws(APIError) in try pods.decode(RequestBody(value: patched), options: options) },
                               "\(type) \(patch) \(validation)")
            }
        }
    }
}
