import APIMachinery
import XCTest
@testable import Storage

/// The bounded set of decoded trees: objects keep their bytes; trees over the budget are evicted
/// (second chance for those read since) and built again when read.
final class DecodedTreeCacheTests: XCTestCase {
    private func configMap(_ name: String) -> (JSON, [UInt8]) {
        let object: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": ["k": "v"]]
        return (object, JSONWriter.encode(object))
    }

    private func tree(_ name: String, cache: DecodedTreeCache) -> (DeferredTree, [UInt8], JSON) {
        let (object, bytes) = configMap(name)
        return (DeferredTree(tree: object, cost: bytes.count * DecodedTreeCache.treeBytesPerJSONByte, cache: cache), bytes, object)
    }

    func testTreesOverTheBudgetAreEvictedAndBuiltAgainFromTheBytes() {
        let (_, sample) = configMap("cm-0")
        let cost = sample.count * DecodedTreeCache.treeBytesPerJSONByte
        let cache = DecodedTreeCache(budget: cost * 10)
        let trees = (0..<100).map { tree(String(format: "cm-%d", $0 % 10), cache: cache) }
        XCTAssertLessThanOrEqual(cache.heldBytes, cost * 10, "held within the budget")
        XCTAssertGreaterThan(cache.heldBytes, 0)
        // Every object still reads as it was written, evicted or not.
        for (deferred, bytes, object) in trees { XCTAssertEqual(deferred.value(of: bytes), object) }
        XCTAssertLessThanOrEqual(cache.heldBytes, cost * 11)
    }

    func testATreeReadSinceTheHandPassedGetsASecondChance() {
        let (_, sample) = configMap("cm-0")
        let cost = sample.count * DecodedTreeCache.treeBytesPerJSONByte
        let cache = DecodedTreeCache(budget: cost * 2)
        let hot = tree("hot", cache: cache)
        var cold: [(DeferredTree, [UInt8], JSON)] = []
        for i in 0..<20 {
            // Reading the hot object between admissions keeps it decoded; the cold ones come and go.
            XCTAssertEqual(hot.0.value(of: hot.1), hot.2)
            cold.append(tree("cold-\(i)", cache: cache))
        }
        XCTAssertTrue(hot.0.isHeld, "the object read all along is still decoded")
        XCTAssertFalse(cold[0].0.isHeld, "the first cold object was evicted")
        XCTAssertEqual(cold[0].0.value(of: cold[0].1), cold[0].2, "and decodes again when read")
    }

    func testTreesOfReleasedObjectsStayWithinTheBudgetUntilEvicted() {
        let (_, sample) = configMap("a-0")
        let cost = sample.count * DecodedTreeCache.treeBytesPerJSONByte
        let cache = DecodedTreeCache(budget: cost * 5)
        var trees: [(DeferredTree, [UInt8], JSON)]? = (0..<5).map { tree("a-\($0)", cache: cache) }
        XCTAssertEqual(trees?.count, 5)
        trees = nil
        XCTAssertEqual(cache.heldBytes, cost * 5, "the queue still holds them")
        let newer = (0..<5).map { tree("b-\($0)", cache: cache) }
        XCTAssertEqual(cache.heldBytes, cost * 5, "the released ones made room for the new")
        XCTAssertTrue(newer.allSatisfy { $0.0.isHeld })
        XCTAssertEqual(cache.evictedCount, 5)
    }

    func testAnObjectWithoutBytesKeepsItsTree() {
        let cache = DecodedTreeCache(budget: 0)
        let object: JSON = ["kind": "Pod"]
        let deferred = DeferredTree(tree: object, cost: 0, cache: cache)
        _ = (0..<10).map { tree("cm-\($0)", cache: cache) }
        XCTAssertEqual(deferred.value(of: []), object)
    }

    func testStoredObjectsReadTheirValueWhateverTheCacheHolds() {
        let key = StorageKey(resource: "configmaps", namespace: "default", name: "a")
        let (object, bytes) = configMap("a")
        let written = StoredObject(key: key, object: object, bytes: bytes, revision: 3)
        let restored = StoredObject(key: key, validatedBytes: bytes, revision: 3)
        XCTAssertEqual(written.object, object)
        XCTAssertEqual(restored.object, object)
    }
}
