import APIMachinery
import Foundation
@testable import Registry
import Storage
import XCTest

/// Rows kept per revision (`TableRowCache`, `TableRowTemplate`) print what the cells computed at
/// request time print, and are never used for another revision.
final class TableRowCacheTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func pod(_ name: String, restarts: Int = 0, created: TimeInterval = 300) -> JSON {
        var status: JSON = ["phase": "Running"]
        if restarts > 0 {
            status["containerStatuses"] = [[
                "ready": true, "restartCount": .int(Int64(restarts)), "state": ["running": [:]],
                "lastState": ["terminated": ["exitCode": 1, "finishedAt": .string(Timestamp.format(now.addingTimeInterval(-70)))]]]]
        }
        return ["metadata": ["name": .string(name), "namespace": "ns", "creationTimestamp": .string(Timestamp.format(now.addingTimeInterval(-created)))],
                "spec": ["containers": [["name": "c", "image": "redis"]]], "status": status]
    }

    func stored(_ object: JSON, revision: Int64) -> StoredObject {
        StoredObject(key: StorageKey(resource: "pods", namespace: "ns", name: object.meta.name), object: object,
                     bytes: JSONWriter.encode(object), revision: revision)
    }

    func template(_ item: StoredObject) -> TableRowTemplate? {
        PodStrategy().tableCellTemplate(item.object).map { TableRowTemplate(cells: $0, item: item) }
    }

    func testSinceCellsRenderAsUpstreamPrintsThem() {
        XCTAssertEqual(TableCell.since(now.addingTimeInterval(-300)).rendered(now: now), "5m")
        XCTAssertEqual(TableCell.since(now.addingTimeInterval(-70), prefix: "3 (", suffix: " ago)").rendered(now: now), "3 (70s ago)")
        XCTAssertEqual(TableCell.since(now.addingTimeInterval(10)).rendered(now: now), "<invalid>")
        XCTAssertEqual(TableCell.value(.int(4)).rendered(now: now), .int(4))
    }

    /// The encoded template, rendered at several times, is the encoding of the cells computed at those times.
    func testTemplateBytesMatchCellsAtEveryTime() {
        let objects = [pod("a"), pod("b", restarts: 3), pod("c", created: -30), ["metadata": ["name": "d"], "spec": [:]] as JSON]
        for object in objects {
            let row = template(stored(object, revision: 1))!
            for later: TimeInterval in [0.0, 0.4, 1, 59, 3_600, 86_400 * 400] {
                let at = now.addingTimeInterval(later)
                var out: [UInt8] = []
                row.writeCells(now: at, into: &out)
                XCTAssertEqual(String(decoding: out, as: UTF8.self),
                               String(decoding: JSONWriter.encode(.array(PodStrategy().tableCells(object, now: at))), as: UTF8.self))
            }
        }
    }

    func testRowIsKeptForItsRevisionAndRemadeForAnother() {
        let cache = TableRowCache()
        var made = 0
        func rows(_ items: [StoredObject]) -> [TableRowTemplate?] {
            cache.rows(for: items) { made += 1; return template($0) }
        }
        let first = [stored(pod("a"), revision: 5), stored(pod("b"), revision: 6)]
        XCTAssertEqual(rows(first).map { $0?.revision }, [5, 6])
        XCTAssertEqual(rows(first).map { $0?.revision }, [5, 6])
        XCTAssertEqual(made, 2)

        let updated = stored(pod("a", restarts: 2), revision: 9)
        let again = rows([updated, first[1]])
        XCTAssertEqual(made, 3)
        XCTAssertEqual(again.map { $0?.revision }, [9, 6])
        XCTAssertTrue(again[0]?.describes(updated) ?? false)
        // An older revision (a LIST at an earlier resourceVersion) gets its own row, not the newer one.
        XCTAssertEqual(rows([first[0]]).first??.revision, 5)
    }

    func testEncodedColumnsAreKeptWhileTheColumnsStayTheSame() {
        let cache = TableRowCache()
        var encoded = 0
        func encode(_ columns: [TableColumn]) -> [UInt8] { encoded += 1; return Array(columns.map(\.name).joined(separator: ",").utf8) }
        XCTAssertEqual(cache.encodedColumns(PodTable.columns, encode: encode), Array("Name,Ready,Status,Restarts,Age,IP,Node,Nominated Node,Readiness Gates".utf8))
        _ = cache.encodedColumns(PodTable.columns, encode: encode)
        XCTAssertEqual(encoded, 1)
        XCTAssertEqual(cache.encodedColumns([.name, .age], encode: encode), Array("Name,Age".utf8))
        XCTAssertEqual(encoded, 2)
    }

    /// Durations written as bytes read as upstream's HumanDuration, `<invalid>` escaped as Go escapes it.
    func testOpenCellsAtManyAges() {
        let item = stored(pod("a", restarts: 2), revision: 1)
        let row = template(item)!
        for seconds in [-100.0, -1.5, -0.5, 0, 59, 119, 120, 599, 600, 601, 10_799, 10_800, 28_799, 28_800, 172_799, 172_800,
                        691_199, 691_200, 63_071_999, 63_072_000, 252_287_999, 252_288_000, 1e10] {
            let at = now.addingTimeInterval(seconds - 300)
            var out: [UInt8] = []
            row.writeCells(now: at, into: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self),
                           String(decoding: JSONWriter.encode(.array(PodTable.cells(item.object, now: at))), as: UTF8.self), "\(seconds)")
        }
        XCTAssertEqual(Timestamp.humanDuration(-5), "<invalid>")
        XCTAssertEqual(Timestamp.humanDuration(691_200 + 3_600), "8d")
        XCTAssertEqual(Timestamp.humanDuration(63_072_000 + 86_400 * 3), "2y3d")
    }

    func testCacheIsBounded() {
        let cache = TableRowCache(capacity: 10)
        for round in 0..<5 {
            let items = (0..<7).map { stored(pod("p\(round)-\($0)"), revision: Int64(round * 10 + $0)) }
            XCTAssertEqual(cache.rows(for: items, make: template).compactMap { $0?.revision }, items.map(\.revision))
            XCTAssertLessThanOrEqual(cache.count, 10)
        }
    }

    func testKindsWithoutTemplatesAreNotKept() {
        let cache = TableRowCache()
        XCTAssertEqual(cache.rows(for: [stored(pod("a"), revision: 1)]) { _ in nil }.count, 1)
        XCTAssertEqual(cache.count, 0)
    }

    /// A printer declared as depending on the time only through AGE gets no template for a row where
    /// another cell depends on it (a running Job's duration).
    func testAgedCellsCheckOtherCellsDoNotDependOnTheTime() {
        let aged = ResourceTables.Printer(columns: JobTable.columns, agedCells: JobTable.cells)
        let running: JSON = ["metadata": ["name": "j", "creationTimestamp": "2023-11-14T22:00:00Z"], "spec": ["completions": 1],
                             "status": ["startTime": "2023-11-14T22:00:00Z", "active": 1]]
        XCTAssertNil(aged.template?(running) ?? nil)
        var done = running
        done["status"]?["completionTime"] = "2023-11-14T22:01:00Z"
        XCTAssertEqual(aged.template?(done)?.map { $0.rendered(now: now) }, JobTable.cells(done, now: now))
        XCTAssertEqual(ResourceTables.printer(for: "ConfigMap")?.template?(["metadata": ["name": "c"], "data": ["a": "b"]])?.count, 3)
    }

    /// Every served kind's template, where it has one, renders exactly its `tableCells`.
    func testEveryStrategysTemplateRendersItsCells() {
        let objects: [JSON] = [pod("a"), pod("b", restarts: 1), ["metadata": ["name": "x", "creationTimestamp": "2023-11-14T22:08:20Z"]], ["metadata": [:]]]
        for strategy in StrategyCatalog.all {
            for object in objects {
                guard let template = strategy.tableCellTemplate(object) else { continue }
                XCTAssertEqual(template.map { $0.rendered(now: now) }, strategy.tableCells(object, now: now), "\(strategy.resource.kind)")
            }
        }
    }
}
