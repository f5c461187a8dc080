import APIMachinery
@testable import APIServer
import Foundation
import Registry
import Storage
import XCTest

/// Table rows written from stored bytes are byte for byte the rows encoded from the object's tree.
final class TableRowBytesTests: XCTestCase {
    let pod: JSON = try! JSONParser.parse(Array(#"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p-0","namespace":"b","labels":{"app":"a<b>&\"q\""},
         "annotations":{"note":"{\"nested\":[1,2,{\"x\":\"]}\"}]}","u":"\u2028 é \\"},
         "managedFields":[{"manager":"curl","operation":"Update","fieldsV1":{"f:metadata":{}}}],"resourceVersion":"7"},
         "spec":{"containers":[{"name":"c","image":"redis:7","ports":[{"containerPort":6379}]}]},
         "status":{"phase":"Running","podIP":"10.244.0.5"}}
        """#.utf8)).value

    func stored(_ object: JSON) -> StoredObject {
        StoredObject(key: StorageKey(resource: "pods", namespace: "b", name: "p-0"), object: object,
                     bytes: JSONWriter.encode(object), revision: 7)
    }

    func testEveryIncludeObjectMatchesTheTreeEncoding() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for include in TableBuilder.includeObjectValues {
            let builder = TableBuilder(strategy: PodStrategy(), now: now, version: "v1", includeObject: include)
            XCTAssertEqual(String(decoding: builder.rowBytes(stored(pod)), as: UTF8.self),
                           String(decoding: JSONWriter.encode(builder.row(pod)), as: UTF8.self), include)
        }
    }

    /// Rows kept per revision render as the rows made afresh, at each request's time.
    func testKeptRowsMatchTheTreeEncodingAtEveryTime() {
        var restarted = pod
        restarted["metadata"]?["creationTimestamp"] = "2027-01-15T08:00:00Z"
        restarted["status"]?["containerStatuses"] = [[
            "name": "c", "ready": false, "restartCount": 4, "state": ["waiting": ["reason": "CrashLoopBackOff"]],
            "lastState": ["terminated": ["exitCode": 1, "finishedAt": "2027-01-15T08:01:00Z"]]]]
        for object in [pod, restarted] {
            let cache = TableRowCache()  // both objects are revision 7 of the same key
            for seconds in [1_800_000_000.0, 1_800_000_000.5, 1_800_003_700] {
                let now = Date(timeIntervalSince1970: seconds)
                for include in TableBuilder.includeObjectValues {
                    let builder = TableBuilder(strategy: PodStrategy(), now: now, version: "v1", includeObject: include, rows: cache)
                    let template = builder.templates([stored(object)])[0]
                    XCTAssertNotNil(template)
                    XCTAssertEqual(String(decoding: builder.rowBytes(stored(object), template: template), as: UTF8.self),
                                   String(decoding: JSONWriter.encode(builder.row(object)), as: UTF8.self), include)
                }
            }
        }
    }

    /// A LIST's head, written directly, is the tree-encoded Table's up to its rows.
    func testListHeadMatchesTheTreeEncoding() {
        let meta: JSON = ["resourceVersion": "12", "continue": "a<b", "remainingItemCount": 3]
        for strategy in [PodStrategy(), ConfigMapStrategy()] as [any ResourceStrategy] {
            for version in ["v1", "v1beta1"] {
                let builder = TableBuilder(strategy: strategy, now: Date(), version: version, includeObject: "Metadata")
                var table = builder.table([], revision: "12")
                table["metadata"] = meta
                var tree = JSONWriter.encode(table)
                tree.removeLast(2)
                XCTAssertEqual(String(decoding: builder.listHead(meta: meta), as: UTF8.self), String(decoding: tree, as: UTF8.self))
            }
        }
    }

    func testMemberSliceFindsTopLevelValuesOnly() {
        let bytes = Array(#"{"a":"metadata","b":{"metadata":1},"n":-1.5e3,"t":true,"metadata":{"x":[1,"}"]},"z":null}"#.utf8)
        XCTAssertEqual(JSONMemberSlice.range(of: "metadata", in: bytes).map { String(decoding: bytes[$0], as: UTF8.self) }, #"{"x":[1,"}"]}"#)
        XCTAssertEqual(JSONMemberSlice.range(of: "z", in: bytes).map { String(decoding: bytes[$0], as: UTF8.self) }, "null")
        XCTAssertEqual(JSONMemberSlice.range(of: "n", in: bytes).map { String(decoding: bytes[$0], as: UTF8.self) }, "-1.5e3")
        XCTAssertNil(JSONMemberSlice.range(of: "missing", in: bytes))
        XCTAssertNil(JSONMemberSlice.range(of: "metadata", in: Array(#"[{"metadata":1}]"#.utf8)))
        XCTAssertNil(JSONMemberSlice.range(of: "metadata", in: Array(#"{"metadata":{"open":"#.utf8)))
    }
}
