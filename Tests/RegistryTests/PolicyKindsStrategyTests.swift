import APIMachinery
import Foundation
@testable import Registry
import Storage
import XCTest

/// PodTemplate, LimitRange, ResourceQuota, NetworkPolicy, PriorityClass, RuntimeClass and
/// HorizontalPodAutoscaler: upstream's defaults, validation messages and Table cells, and the
/// Priority admission of pods.
final class PolicyKindsStrategyTests: XCTestCase {
    func testPriorityClassNamesValuesAndImmutability() {
        let strategy = PriorityClassStrategy()
        let high = json(#"{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"high"},"value":1000}"#)
        let (created, errors) = create(strategy, high)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(created["preemptionPolicy"], "PreemptLowerPriority")
        XCTAssertEqual(create(strategy, modified(high) { $0["value"] = 1_000_000_001 }).errors,
                       ["value: Forbidden: maximum allowed value of a user defined priority is 1000000000"])
        XCTAssertEqual(create(strategy, modified(high) { $0[path: "metadata", "name"] = "system-mine" }).errors,
                       ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"])
        XCTAssertEqual(create(strategy, PriorityClassStrategy.systemClasses[0]).errors, [])
        XCTAssertEqual(create(strategy, modified(PriorityClassStrategy.systemClasses[0]) { $0["value"] = 5 }).errors,
                       ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000"])
        XCTAssertEqual(create(strategy, modified(high) { $0["preemptionPolicy"] = "Sometimes" }).errors,
                       [#"preemptionPolicy: Unsupported value: "Sometimes": supported values: "Never", "PreemptLowerPriority""#])
        XCTAssertEqual(update(strategy, modified(created) { $0["value"] = 7 }, old: created).errors, ["value: Forbidden: may not be changed in an update."])
        let table = PriorityClassTable.cells(created, now: Date())
        XCTAssertEqual(Array(table[0...2]), ["high", 1000, false])
        XCTAssertEqual(table[4], "PreemptLowerPriority")
    }

    func testPodPriorityComesFromItsClassOrTheDefault() throws {
        func stored(_ object: JSON) -> StoredObject {
            StoredObject(key: StorageKey(resource: "priorityclasses", namespace: "", name: object.meta.name), object: object, bytes: [], revision: 1)
        }
        let classes = [stored(json(#"{"metadata":{"name":"high"},"value":1000,"preemptionPolicy":"Never"}"#)),
                       stored(json(#"{"metadata":{"name":"base"},"value":10,"globalDefault":true,"preemptionPolicy":"PreemptLowerPriority"}"#))]
        var pod = json(#"{"metadata":{"name":"p"},"spec":{"priorityClassName":"high","containers":[{"name":"c","image":"x"}]}}"#)
        try PodPriorityAdmission.admit(&pod, classes: classes)
        XCTAssertEqual(pod[path: "spec", "priority"], 1000)
        XCTAssertEqual(pod[path: "spec", "preemptionPolicy"], "Never")
        var plain = json(#"{"metadata":{"generateName":"web-"},"spec":{"containers":[{"name":"c","image":"x"}]}}"#)
        try PodPriorityAdmission.admit(&plain, classes: classes)
        XCTAssertEqual(plain[path: "spec", "priorityClassName"], "base")
        XCTAssertEqual(plain[path: "spec", "priority"], 10)
        var alone = plain
        alone = json(#"{"metadata":{"name":"q"},"spec":{"containers":[]}}"#)
        try PodPriorityAdmission.admit(&alone, classes: [])
        XCTAssertEqual(alone[path: "spec", "priority"], 0)
        XCTAssertEqual(alone[path: "spec", "preemptionPolicy"], "PreemptLowerPriority")

        var missing = modified(pod) { $0[path: "spec", "priorityClassName"] = "nope" }
        XCTAssertThrowsError(try PodPriorityAdmission.admit(&missing, classes: classes)) { error in
            XCTAssertEqual((error as? APIError)?.code, 403)
            XCTAssertEqual((error as? APIError)?.message, #"pods "p" is forbidden: no PriorityClass with name nope was found"#)
        }
        var stated = json(#"{"metadata":{"generateName":"web-"},"spec":{"priorityClassName":"high","priority":5,"containers":[]}}"#)
        XCTAssertThrowsError(try PodPriorityAdmission.admit(&stated, classes: classes)) { error in
            XCTAssertEqual((error as? APIError)?.message, #"pods "web-" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name"#)
        }
    }

    func testNetworkPolicyDefaultsAndValidation() {
        let strategy = NetworkPolicyStrategy()
        let policy = json(#"""
        {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"p"},
         "spec":{"podSelector":{"matchLabels":{"app":"web"}},"ingress":[{"ports":[{"port":80}]}],"egress":[{"to":[{"podSelector":{}}]}]}}
        """#)
        let (created, errors) = create(strategy, policy)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(created[path: "spec", "policyTypes"], ["Ingress", "Egress"])
        XCTAssertEqual(created[path: "spec", "ingress"], [["ports": [["port": 80, "protocol": "TCP"]]]])
        func rejected(_ rule: String) -> [String] {
            create(strategy, modified(policy) { $0[path: "spec", "ingress"] = json(rule) }).errors
        }
        XCTAssertEqual(rejected(#"[{"ports":[{"port":70000}]}]"#), ["spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"])
        XCTAssertEqual(rejected(#"[{"ports":[{"port":"http","endPort":90}]}]"#),
                       ["spec.ingress[0].ports[0].endPort: Forbidden: may not be specified when `port` is non-numeric"])
        XCTAssertEqual(rejected(#"[{"ports":[{"port":90,"endPort":80}]}]"#),
                       ["spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`"])
        XCTAssertEqual(rejected(#"[{"from":[{}]}]"#), ["spec.ingress[0].from[0]: Required value: must specify a peer"])
        XCTAssertEqual(rejected(#"[{"from":[{"podSelector":{},"ipBlock":{"cidr":"10.0.0.0/8"}}]}]"#),
                       ["spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer"])
        XCTAssertEqual(rejected(#"[{"from":[{"ipBlock":{"cidr":"10.0.0.0/8","except":["11.0.0.0/16","10.0.0.0/8"]}}]}]"#),
                       [#"spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`"#,
                        #"spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`"#])
        XCTAssertEqual(NetworkPolicyTable.cells(created, now: Date())[1], "app=web")
        XCTAssertEqual(NetworkPolicyTable.cells(modified(created) { $0[path: "spec", "podSelector"] = [:] }, now: Date())[1], "<none>")
    }

    func testLimitRangeDefaultsAndOrdering() {
        let strategy = LimitRangeStrategy()
        let range = json(#"""
        {"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"l"},
         "spec":{"limits":[{"type":"Container","max":{"cpu":"2"},"min":{"memory":"64Mi"}}]}}
        """#)
        let (created, errors) = create(strategy, range)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(created[path: "spec", "limits"]?.arrayValue?.first?["default"], ["cpu": "2"])
        XCTAssertEqual(created[path: "spec", "limits"]?.arrayValue?.first?["defaultRequest"], ["cpu": "2", "memory": "64Mi"])
        let bad = json(#"""
        {"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"l"},
         "spec":{"limits":[{"type":"Pod","default":{"cpu":"1"}},{"type":"Container","min":{"cpu":"2"},"max":{"cpu":"1"}},
                           {"type":"Container"}]}}
        """#)
        XCTAssertEqual(create(strategy, bad).errors, [
            "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'",
            #"spec.limits[1].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1"#,
            #"spec.limits[1].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1"#,
            #"spec.limits[1].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1"#,
            #"spec.limits[2].type: Duplicate value: "Container""#,
        ])
    }

    func testHorizontalPodAutoscalerDefaultsValidationAndTable() {
        let strategy = HorizontalPodAutoscalerStrategy()
        let hpa = json(#"""
        {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h"},
         "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"maxReplicas":5,"behavior":{"scaleDown":{"stabilizationWindowSeconds":60}}}}
        """#)
        let (created, errors) = create(strategy, hpa)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(created[path: "spec", "minReplicas"], 1)
        XCTAssertEqual(created[path: "spec", "metrics"], [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]]])
        XCTAssertEqual(created[path: "spec", "behavior", "scaleDown", "stabilizationWindowSeconds"], 60)
        XCTAssertEqual(created[path: "spec", "behavior", "scaleUp", "policies"]?.arrayValue?.count, 2)
        XCTAssertEqual(created["status"], ["currentMetrics": nil, "desiredReplicas": 0])
        XCTAssertEqual(create(strategy, modified(hpa) { $0[path: "spec", "minReplicas"] = 6 }).errors,
                       ["spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`"])
        XCTAssertEqual(create(strategy, modified(hpa) { $0[path: "spec", "scaleTargetRef"] = ["name": "web"] }).errors,
                       ["spec.scaleTargetRef.kind: Required value"])
        let cells = HorizontalPodAutoscalerTable.cells(created, now: Date())
        XCTAssertEqual(Array(cells[1...5]), ["Deployment/web", "cpu: <unknown>/80%", "1", 5, 0])
    }

    func testQuotaRuntimeClassAndPodTemplate() {
        XCTAssertEqual(create(ResourceQuotaStrategy(), json(#"{"metadata":{"name":"q"},"spec":{"hard":{"pods":"-1"}}}"#)).errors,
                       [#"spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0"#])
        let quota = json(#"{"metadata":{"name":"q"},"status":{"hard":{"pods":"2","limits.cpu":"2","requests.cpu":"1"},"used":{"pods":"1"}}}"#)
        XCTAssertEqual(Array(ResourceQuotaTable.cells(quota, now: Date())[2...3]), ["pods: 1/2, requests.cpu: 0/1", "limits.cpu: 0/2"])
        let runtime = RuntimeClassStrategy()
        let rc = json(#"{"metadata":{"name":"r"},"handler":"runc"}"#)
        XCTAssertEqual(create(runtime, rc).errors, [])
        XCTAssertEqual(update(runtime, modified(rc) { $0["handler"] = "crun" }, old: rc).errors,
                       [#"handler: Invalid value: "crun": field is immutable"#])
        let (template, errors) = create(PodTemplateStrategy(), json(#"{"metadata":{"name":"t"},"template":{"spec":{"containers":[{"name":"c","image":"nginx"}]}}}"#))
        XCTAssertEqual(errors, [])
        XCTAssertEqual(template[path: "template", "spec", "restartPolicy"], "Always")
        XCTAssertEqual(create(PodTemplateStrategy(), json(#"{"metadata":{"name":"t"}}"#)).errors, ["template.spec.containers: Required value"])
    }

    func testLimitRangerFillsDefaultsAndRefusesPodsOutsideTheRange() throws {
        let range = json(#"""
        {"metadata":{"name":"lr"},"spec":{"limits":[
          {"type":"Container","max":{"cpu":"1"},"min":{"cpu":"100m"},"default":{"cpu":"500m"},"defaultRequest":{"cpu":"200m","memory":"64Mi"}},
          {"type":"Pod","max":{"memory":"1Gi"}}]}}
        """#)
        var pod = json(#"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"memory":"256Mi"}}},{"name":"b","image":"x","resources":{"limits":{"memory":"128Mi"}}}]}}"#)
        try PodLimitRangeAdmission.admit(&pod, ranges: [range])
        XCTAssertEqual(pod[path: "spec", "containers"]?.arrayValue?.first?["resources"],
                       ["limits": ["memory": "256Mi", "cpu": "500m"], "requests": ["cpu": "200m", "memory": "64Mi"]])
        XCTAssertEqual(pod[path: "metadata", "annotations", "kubernetes.io/limit-ranger"],
                       "LimitRanger plugin set: cpu, memory request for container a; cpu limit for container a; cpu, memory request for container b; cpu limit for container b")

        var big = json(#"{"metadata":{"name":"big"},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"cpu":"2","memory":"768Mi"}}},{"name":"b","image":"x","resources":{"limits":{"memory":"512Mi"}}}]}}"#)
        XCTAssertThrowsError(try PodLimitRangeAdmission.admit(&big, ranges: [range])) { error in
            XCTAssertEqual((error as? APIError)?.code, 403)
            XCTAssertEqual((error as? APIError)?.message,
                           #"pods "big" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Pod is 1Gi, but limit is 1280Mi]"#)
        }
        var small = json(#"{"metadata":{"name":"small"},"spec":{"containers":[{"name":"a","image":"x","resources":{"requests":{"cpu":"50m"}}}]}}"#)
        XCTAssertThrowsError(try PodLimitRangeAdmission.admit(&small, ranges: [range])) { error in
            XCTAssertEqual((error as? APIError)?.message,
                           #"pods "small" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum memory usage per Pod is 1Gi.  No limit is specified]"#)
        }
    }

    func testAPIServicesLocalAndServiceBacked() {
        let strategy = APIServiceStrategy()
        let (local, errors) = create(strategy, APIServiceStrategy.local(group: "apps", version: "v1"))
        XCTAssertEqual(errors, [])
        XCTAssertEqual(local[path: "spec", "groupPriorityMinimum"], 17800)
        XCTAssertEqual(APIServiceTable.cells(local, now: Date())[1...2], ["Local", "True"])
        XCTAssertEqual(create(strategy, APIServiceStrategy.local(group: "", version: "v1")).errors, [])
        let remote = json(#"{"metadata":{"name":"v1beta1.metrics.k8s.io"},"spec":{"group":"metrics.k8s.io","version":"v1beta1","groupPriorityMinimum":100,"versionPriority":100,"service":{"namespace":"kube-system","name":"metrics-server"}}}"#)
        let (created, remoteErrors) = create(strategy, remote)
        XCTAssertEqual(remoteErrors, [])
        XCTAssertEqual(created[path: "spec", "service", "port"], 443)
        XCTAssertEqual(APIServiceTable.cells(created, now: Date())[1...2], ["kube-system/metrics-server", "False (FailedDiscoveryCheck)"])
        XCTAssertEqual(create(strategy, modified(remote) { $0[path: "metadata", "name"] = "v1.metrics.k8s.io"; $0[path: "spec", "versionPriority"] = 0 }).errors, [
            #"metadata.name: Invalid value: "v1.metrics.k8s.io": must be `spec.version+"."+spec.group`: "v1beta1.metrics.k8s.io""#,
            "spec.versionPriority: Invalid value: 0: must be positive and less than 1000",
        ])
    }
}
