import APIMachinery
@testable import Registry
import XCTest

final class StatefulSetStrategyTests: XCTestCase {
    let strategy = StatefulSetStrategy()

    func testSeedStatefulSetIsValidAndGetsUpstreamDefaults() {
        let (o, errors) = create(strategy, Seed.redisSts)
        XCTAssertEqual(errors, [])
        XCTAssertTrue(strategy.tracksGeneration)
        XCTAssertEqual(o[path: "spec", "replicas"], 2)
        XCTAssertEqual(o[path: "spec", "podManagementPolicy"], "OrderedReady")
        XCTAssertEqual(o[path: "spec", "updateStrategy"], ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]])
        XCTAssertEqual(o[path: "spec", "revisionHistoryLimit"], 10)
        XCTAssertEqual(o[path: "spec", "persistentVolumeClaimRetentionPolicy"], ["whenDeleted": "Retain", "whenScaled": "Retain"])
        XCTAssertEqual(o[path: "spec", "template", "metadata", "creationTimestamp"], .null)
        let spec = o[path: "spec", "template", "spec"] ?? [:]
        XCTAssertEqual(spec["restartPolicy"], "Always")
        XCTAssertEqual(spec["dnsPolicy"], "ClusterFirst")
        XCTAssertEqual(spec["schedulerName"], "default-scheduler")
        XCTAssertEqual(spec["terminationGracePeriodSeconds"], 30)
        XCTAssertEqual(spec["securityContext"], [:])
        XCTAssertNil(spec["enableServiceLinks"], "SetDefaults_Pod does not apply to templates")
        let container = spec["containers"]?.arrayValue?.first ?? [:]
        XCTAssertEqual(container["imagePullPolicy"], "IfNotPresent")
        XCTAssertEqual(container["terminationMessagePath"], "/dev/termination-log")
        XCTAssertEqual(container["terminationMessagePolicy"], "File")
        XCTAssertEqual(container["resources"], [:])
        XCTAssertEqual(container[path: "ports"]?.arrayValue?.first?["protocol"], "TCP")
        XCTAssertEqual(o["status"], ["replicas": 0, "availableReplicas": 0])
    }

    func testSpecReplicasDefaultsToOne() {
        let o = create(strategy, modified(Seed.redisSts) { $0.setValue(nil, at: ["spec", "replicas"]) }).object
        XCTAssertEqual(o[path: "spec", "replicas"], 1)
    }

    func testClaimTemplatesReadBackAsClaims() {
        let (o, errors) = create(strategy, Seed.redisPvSts)
        XCTAssertEqual(errors, [])
        let claim = o[path: "spec", "volumeClaimTemplates"]?.arrayValue?.first ?? [:]
        XCTAssertEqual(claim.objectValue?.keys.prefix(2).map { $0 }, ["apiVersion", "kind"])
        XCTAssertEqual(claim["kind"], "PersistentVolumeClaim")
        XCTAssertEqual(claim[path: "metadata", "creationTimestamp"], .null)
        XCTAssertEqual(claim[path: "spec", "volumeMode"], "Filesystem")
        XCTAssertEqual(claim["status"], ["phase": "Pending"])
    }

    func testSelectorMustMatchTemplateLabels() {
        let sts = modified(Seed.redisSts) { $0.setValue("other", at: ["spec", "template", "metadata", "labels", "app"]) }
        XCTAssertEqual(create(strategy, sts).errors, [
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`",
        ])
    }

    func testSelectorIsRequired() {
        let sts = modified(Seed.redisSts) { $0.setValue(nil, at: ["spec", "selector"]) }
        XCTAssertEqual(create(strategy, sts).errors, ["spec.selector: Required value"])
    }

    func testEmptySelectorIsInvalid() {
        let sts = modified(Seed.redisSts) { $0.setValue([:], at: ["spec", "selector"]) }
        XCTAssertEqual(create(strategy, sts).errors, ["spec.selector: Invalid value: {}: empty selector is invalid for statefulset"])
    }

    func testNumericFieldsMustBeNonNegative() {
        let sts = modified(Seed.redisSts) {
            $0.setValue(-1, at: ["spec", "replicas"])
            $0.setValue(-2, at: ["spec", "minReadySeconds"])
            $0.setValue(["start": -3], at: ["spec", "ordinals"])
            $0.setValue(["type": "RollingUpdate", "rollingUpdate": ["partition": -4]], at: ["spec", "updateStrategy"])
        }
        XCTAssertEqual(create(strategy, sts).errors, [
            "spec.updateStrategy.rollingUpdate.partition: Invalid value: -4: must be greater than or equal to 0",
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            "spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0",
            "spec.ordinals.start: Invalid value: -3: must be greater than or equal to 0",
        ])
    }

    func testEnumsAndTemplateRestartPolicy() {
        let sts = modified(Seed.redisSts) {
            $0.setValue("Sometimes", at: ["spec", "podManagementPolicy"])
            $0.setValue("Never", at: ["spec", "template", "spec", "restartPolicy"])
            $0.setValue(["type": "OnDelete", "rollingUpdate": ["partition": 0]], at: ["spec", "updateStrategy"])
        }
        XCTAssertEqual(create(strategy, sts).errors, [
            "spec.podManagementPolicy: Invalid value: \"Sometimes\": must be 'OrderedReady' or 'Parallel'",
            "spec.updateStrategy.rollingUpdate: Invalid value: {\"partition\":0}: only allowed for updateStrategy 'RollingUpdate'",
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
        ])
    }

    func testMaxUnavailableRules() {
        let sts = modified(Seed.redisSts) {
            $0.setValue(["type": "RollingUpdate", "rollingUpdate": ["partition": 0, "maxUnavailable": 0]], at: ["spec", "updateStrategy"])
        }
        XCTAssertEqual(create(strategy, sts).errors, ["spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0"])
    }

    func testUpdatesMayChangeOnlyTheMutableFields() {
        let old = create(strategy, Seed.redisSts).object
        let scaled = modified(old) {
            $0.setValue(5, at: ["spec", "replicas"])
            $0.setValue("Parallel", at: ["spec", "template", "metadata", "annotations", "note"])
            $0.setValue(7, at: ["spec", "minReadySeconds"])
        }
        XCTAssertFalse(update(strategy, scaled, old: old).errors.contains { $0.hasPrefix("spec: Forbidden") })
        let renamed = modified(old) { $0.setValue("other-svc", at: ["spec", "serviceName"]) }
        XCTAssertEqual(update(strategy, renamed, old: old).errors, [
            "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                + "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ])
        let pvOld = create(strategy, Seed.redisPvSts).object
        let resized = modified(pvOld) { o in
            var claims = o[path: "spec", "volumeClaimTemplates"]?.arrayValue ?? []
            claims[0].setValue("1Gi", at: ["spec", "resources", "requests", "storage"])
            o.setValue(.array(claims), at: ["spec", "volumeClaimTemplates"])
        }
        XCTAssertEqual(update(strategy, resized, old: pvOld).errors.count, 1)
    }

    func testUpdateKeepsStatus() {
        let old = modified(create(strategy, Seed.redisSts).object) { $0["status"] = ["replicas": 2, "availableReplicas": 2] }
        let new = modified(old) { $0["status"] = ["replicas": 9] }
        XCTAssertEqual(update(strategy, new, old: old).object["status"], ["replicas": 2, "availableReplicas": 2])
    }
}
