import APIMachinery
import XCTest

/// ResourceQuota and LimitRanger admission through the API: a quota's status must be known, a
/// create is charged at once (so quick creates cannot overshoot), and over the hard limit it is a
/// 403 with upstream's message; a LimitRange fills a container's requests and limits.
final class QuotaAdmissionAPITests: XCTestCase {
    let pods = "/api/v1/namespaces/default/pods"
    let quotas = "/api/v1/namespaces/default/resourcequotas"

    func pod(_ name: String, cpu: String? = nil) -> JSON {
        var container: JSONObject = ["name": "c", "image": "nginx"]
        if let cpu { container["resources"] = ["requests": ["cpu": .string(cpu)]] }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": ["containers": [.object(container)]]]
    }

    func testQuotaStatusMustBeKnownThenCreatesAreChargedUntilTheLimit() throws {
        let api = try InProcessAPI()
        let quota: JSON = ["apiVersion": "v1", "kind": "ResourceQuota", "metadata": ["name": "q"],
                           "spec": ["hard": ["pods": "2", "requests.cpu": "1"]]]
        XCTAssertEqual(api.call("POST", quotas, body: quota).status, 201)
        // No controller runs here: a quota with no status limits nothing yet (upstream reads status.hard).
        XCTAssertEqual(api.call("POST", pods, body: pod("early", cpu: "100m")).status, 201)
        // Hard known but not its usage: refused until the controller counts.
        var counted = api.call("GET", quotas + "/q").json
        counted["status"] = ["hard": ["pods": "2", "requests.cpu": "1"]]
        XCTAssertEqual(api.call("PUT", quotas + "/q/status", body: counted).status, 200)
        let unknown = api.call("POST", pods, body: pod("a", cpu: "100m"))
        XCTAssertEqual(unknown.status, 403)
        XCTAssertEqual(unknown.json[path: "message"], #"pods "a" is forbidden: status unknown for quota: q, resources: pods,requests.cpu"#)
        XCTAssertEqual(api.call("DELETE", pods + "/early").status, 200)
        // The quota controller's first status.
        counted = api.call("GET", quotas + "/q").json
        counted["status"] = ["hard": ["pods": "2", "requests.cpu": "1"], "used": ["pods": "0", "requests.cpu": "0"]]
        XCTAssertEqual(api.call("PUT", quotas + "/q/status", body: counted).status, 200)

        XCTAssertEqual(api.call("POST", pods, body: pod("b")).json[path: "message"],
                       #"pods "b" is forbidden: failed quota: q: must specify requests.cpu for: c"#)
        XCTAssertEqual(api.call("POST", pods, body: pod("a", cpu: "600m")).status, 201)
        XCTAssertEqual(api.call("GET", quotas + "/q").json[path: "status", "used"], ["pods": "1", "requests.cpu": "600m"])
        XCTAssertEqual(api.call("POST", pods + "?dryRun=All", body: pod("dry", cpu: "100m")).status, 201)
        XCTAssertEqual(api.call("GET", quotas + "/q").json[path: "status", "used", "pods"], "1", "a dry run charges nothing")
        let over = api.call("POST", pods, body: pod("c", cpu: "500m"))
        XCTAssertEqual(over.status, 403)
        XCTAssertEqual(over.json[path: "reason"], "Forbidden")
        XCTAssertEqual(over.json[path: "message"],
                       #"pods "c" is forbidden: exceeded quota: q, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1"#)
        XCTAssertEqual(api.call("POST", pods, body: pod("d", cpu: "400m")).status, 201)
        XCTAssertEqual(api.call("POST", pods, body: pod("e", cpu: "1m")).json[path: "message"],
                       #"pods "e" is forbidden: exceeded quota: q, requested: pods=1,requests.cpu=1m, used: pods=2,requests.cpu=1, limited: pods=2,requests.cpu=1"#)
        // Other namespaces and kinds the quota does not name are free.
        XCTAssertEqual(api.call("POST", "/api/v1/namespaces/default/configmaps", body: InProcessAPI.configMap("free")).status, 201)
    }

    func testLimitRangeDefaultsAContainersResources() throws {
        let api = try InProcessAPI()
        let range: JSON = ["apiVersion": "v1", "kind": "LimitRange", "metadata": ["name": "lr"],
                           "spec": ["limits": [["type": "Container", "default": ["cpu": "300m"], "defaultRequest": ["cpu": "100m"], "max": ["cpu": "1"]]]]]
        XCTAssertEqual(api.call("POST", "/api/v1/namespaces/default/limitranges", body: range).status, 201)
        let created = api.call("POST", pods, body: pod("a"))
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(created.json[path: "spec", "containers"]?.arrayValue?.first?["resources"],
                       ["limits": ["cpu": "300m"], "requests": ["cpu": "100m"]])
        XCTAssertEqual(created.json[path: "metadata", "annotations", "kubernetes.io/limit-ranger"],
                       "LimitRanger plugin set: cpu request for container c; cpu limit for container c")
        var big = pod("big")
        big[path: "spec", "containers"] = [["name": "c", "image": "nginx", "resources": ["limits": ["cpu": "2"]]]]
        XCTAssertEqual(api.call("POST", pods, body: big).json[path: "message"],
                       #"pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2"#)
    }
}
