import APIMachinery
@testable import APIServer
import Foundation
import HTTPServer
import Registry
import XCTest

/// The events one request's record writes: the RequestReceived stage as upstream's filter writes it,
/// before the handler decoded anything; the later stages with `objectRef` completed from a create's or
/// update's object (audit.LogRequestObject) and the request body at Request and above.
final class AuditRecordTests: XCTestCase {
    var path = ""

    override func setUp() {
        path = NSTemporaryDirectory() + "kubelite-audit-\(UUID().uuidString).log"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: path)
    }

    func log(level: String) throws -> AuditLog {
        let policy = try AuditPolicy.parse(Array("""
            apiVersion: audit.k8s.io/v1
            kind: Policy
            rules:
              - level: \(level)
            """.utf8))
        return try AuditLog(path: path, policy: policy)
    }

    func events(_ log: AuditLog) throws -> [String: JSON] {
        log.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var byStage: [String: JSON] = [:]
        for line in text.split(separator: "\n") {
            let event = try JSONParser.parse(Array(line.utf8)).value
            byStage[event["stage"]?.stringValue ?? ""] = event
        }
        return byStage
    }

    let admin = UserInfo(username: "admin", groups: ["system:masters"])

    func testACreateIsNamedByItsObjectAfterTheHandler() throws {
        let log = try log(level: "Request")
        let body = Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"made","namespace":"default"}}"#.utf8)
        let request = HTTPRequest(method: "POST", path: "/api/v1/namespaces/default/configmaps",
                                  headers: [("Content-Type", "application/json")], body: body)
        let record = try XCTUnwrap(AuditRecord(log: log, request: request, user: admin, auditID: "a1"))
        record.emit(.requestReceived)
        record.emit(.responseComplete, status: 201, body: nil)
        let events = try events(log)

        let received = try XCTUnwrap(events["RequestReceived"])
        XCTAssertEqual(received["objectRef"], ["resource": "configmaps", "namespace": "default", "apiVersion": "v1"])
        XCTAssertNil(received["requestObject"], "not decoded yet when upstream writes this stage")
        let complete = try XCTUnwrap(events["ResponseComplete"])
        XCTAssertEqual(complete["objectRef"], ["resource": "configmaps", "namespace": "default", "name": "made", "apiVersion": "v1"])
        XCTAssertEqual(complete["requestObject"]?["metadata"]?["name"]?.stringValue, "made")
    }

    func testAnUpdateAtMetadataCarriesItsObjectsRevisionAndNoBody() throws {
        let log = try log(level: "Metadata")
        let body = Array(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod","uid":"u-1","resourceVersion":"42"}}"#.utf8)
        let request = HTTPRequest(method: "PUT", path: "/apis/apps/v1/namespaces/prod/deployments/web", body: body)
        let record = try XCTUnwrap(AuditRecord(log: log, request: request, user: admin, auditID: "a2"))
        record.emit(.responseComplete, status: 200, body: nil)
        let complete = try XCTUnwrap(try events(log)["ResponseComplete"])
        XCTAssertEqual(complete["objectRef"], ["resource": "deployments", "namespace": "prod", "name": "web", "uid": "u-1", "apiGroup": "apps",
                                               "apiVersion": "v1", "resourceVersion": "42"])
        XCTAssertNil(complete["requestObject"])
    }

    func testAPatchIsNotReadAsAnObject() throws {
        let log = try log(level: "Metadata")
        let request = HTTPRequest(method: "PATCH", path: "/api/v1/namespaces/default/pods/p",
                                  headers: [("Content-Type", "application/merge-patch+json")],
                                  body: Array(#"{"metadata":{"name":"other","resourceVersion":"7"}}"#.utf8))
        let record = try XCTUnwrap(AuditRecord(log: log, request: request, user: admin, auditID: "a3"))
        record.emit(.responseComplete, status: 200, body: nil)
        XCTAssertEqual(try events(log)["ResponseComplete"]?["objectRef"], ["resource": "pods", "namespace": "default", "name": "p", "apiVersion": "v1"])
    }

    func testAControllersCreateIsNamedOnlyAfterTheHandler() throws {
        let log = try log(level: "Metadata")
        let attributes = AuthorizationAttributes(user: admin, verb: "create", namespace: "default", apiGroup: "", apiVersion: "v1",
                                                 resource: "pods", subresource: "", name: "web-0")
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web-0", "namespace": "default"]]
        log.audit(InProcessRequest(attributes: attributes, userAgent: "test", body: pod, received: Date()), status: 201, response: pod, error: nil)
        let events = try events(log)
        XCTAssertEqual(events["RequestReceived"]?["objectRef"], ["resource": "pods", "namespace": "default", "apiVersion": "v1"])
        XCTAssertEqual(events["ResponseComplete"]?["objectRef"], ["resource": "pods", "namespace": "default", "name": "web-0", "apiVersion": "v1"])
    }
}
