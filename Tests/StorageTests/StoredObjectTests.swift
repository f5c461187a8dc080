import APIMachinery
import Dispatch
import XCTest
@testable import Storage

final class StoredObjectTests: XCTestCase {
    private let key = StorageKey(resource: "pods", namespace: "default", name: "a")
    private let text = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","labels":{"app":"web"}},"spec":{"nodeName":"n1"}}"#

    func testAnObjectKnownByItsBytesDecodesThemWhenRead() throws {
        let stored = StoredObject(key: key, validatedBytes: Array(text.utf8), revision: 7)
        XCTAssertEqual(stored.object, try JSONParser.parse(text).value)
        XCTAssertEqual(stored.object[path: "spec", "nodeName"], "n1")
        XCTAssertEqual(stored.bytes, Array(text.utf8))
        XCTAssertEqual(stored.revision, 7)
    }

    func testCopiesAndConcurrentFirstReadersSeeOneValue() throws {
        let stored = StoredObject(key: key, validatedBytes: Array(text.utf8), revision: 1)
        let copies = Array(repeating: stored, count: 16)
        let expected = try JSONParser.parse(text).value
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            XCTAssertEqual(copies[i % copies.count].object, expected)
        }
    }

    func testAnObjectWrittenWithItsTreeKeepsIt() {
        let tree: JSON = ["kind": "Pod", "metadata": ["name": "a"]]
        let stored = StoredObject(key: key, object: tree, bytes: JSONWriter.encode(tree), revision: 2)
        XCTAssertEqual(stored.object, tree)
    }
}
