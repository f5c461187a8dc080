import APIMachinery
@testable import Controllers
import Foundation
import KubeliteTesting
import Registry
import XCTest

/// The Deployment controller over the ReplicaSet controller: ReplicaSets per template, rolling
/// updates within maxSurge/maxUnavailable, Recreate, pause and resume, history cleanup, scaling,
/// and the Progressing/Available conditions on the injected clock.
final class DeploymentControllerTests: XCTestCase {
    func deployment(_ h: WorkloadHarness, _ name: String) -> DeploymentView { DeploymentView(h.get("deployments", name)) }
    func sets(_ h: WorkloadHarness, _ name: String) -> [ReplicaSetView] {
        h.list("replicasets").filter { $0.meta.controllerRef?.name == name }.map(ReplicaSetView.init)
    }
    func condition(_ h: WorkloadHarness, _ name: String, _ type: String) -> (status: String, reason: String)? {
        deployment(h, name).condition(type).map { ($0["status"]?.stringValue ?? "", $0["reason"]?.stringValue ?? "") }
    }

    /// The latest generation observed and every replica updated and available.
    func rolledOut(_ h: WorkloadHarness, _ name: String) -> Bool {
        let d = deployment(h, name)
        let s = d.status
        let r = Int64(d.replicas)
        return d.observedGeneration >= d.meta.generation && s["updatedReplicas"]?.intValue == r
            && s["availableReplicas"]?.intValue == r && s["replicas"]?.intValue == r
    }

    /// Plays the kubelet: pods that appear become ready, pods being deleted go.
    func drive(_ h: WorkloadHarness, until what: String, check: () -> Void = {}, _ done: () -> Bool) throws {
        try h.waitUntil(what, timeout: 20) {
            try h.readyAll()
            try h.removeTerminating()
            check()
            return done()
        }
    }

    func testCreatesAReplicaSetNamedByTheTemplateHash() throws {
        let h = try WorkloadHarness(deployments: true)
        let d = try h.create("deployments", WorkloadHarness.deployment("web", replicas: 3))
        h.waitUntil("one ReplicaSet") { self.sets(h, "web").count == 1 }
        let rs = sets(h, "web")[0]
        let hash = try XCTUnwrap(rs.templateLabels[PodTemplateHash.label])
        XCTAssertEqual(rs.meta.name, "web-\(hash)")
        XCTAssertEqual(hash, PodTemplateHash.compute(DeploymentView(d).template, collisionCount: nil))
        XCTAssertEqual(rs.meta.labels, ["app": "web", "pod-template-hash": hash])
        XCTAssertEqual(rs.object[path: "spec", "selector"], ["matchLabels": ["app": "web", "pod-template-hash": .string(hash)]])
        XCTAssertEqual(rs.meta.annotation("deployment.kubernetes.io/revision"), "1")
        XCTAssertEqual(rs.meta.annotation("deployment.kubernetes.io/desired-replicas"), "3")
        XCTAssertEqual(rs.meta.annotation("deployment.kubernetes.io/max-replicas"), "4")
        XCTAssertEqual(rs.replicas, 3)
        try drive(h, until: "three available") { self.deployment(h, "web").status["availableReplicas"]?.intValue == 3 }
        h.waitUntil("complete") { self.condition(h, "web", "Progressing")?.reason == "NewReplicaSetAvailable" }
        let status = deployment(h, "web").status
        XCTAssertEqual(status["replicas"], 3)
        XCTAssertEqual(status["updatedReplicas"], 3)
        XCTAssertEqual(status["readyReplicas"], 3)
        XCTAssertEqual(status["observedGeneration"], 1)
        XCTAssertEqual(condition(h, "web", "Available")?.status, "True")
        XCTAssertEqual(condition(h, "web", "Available")?.reason, "MinimumReplicasAvailable")
        XCTAssertEqual(deployment(h, "web").meta.annotation("deployment.kubernetes.io/revision"), "1")
        XCTAssertEqual(deployment(h, "web").meta.generation, 1, "the revision annotation is written with the status")
        XCTAssertTrue(h.events("web").contains { $0.reason == "ScalingReplicaSet" && $0.message == "Scaled up replica set \(rs.meta.name) from 0 to 3" })
    }

    func testRollingUpdateKeepsMaxUnavailable() throws {
        let h = try WorkloadHarness(deployments: true)
        try h.create("deployments", WorkloadHarness.deployment("r", replicas: 4) {
            $0[path: "spec", "strategy"] = ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": 1]]
        })
        try drive(h, until: "four available") { self.deployment(h, "r").status["availableReplicas"]?.intValue == 4 }
        try h.modify("deployments", "r") { WorkloadHarness.setImage(&$0, "nginx:2") }
        var lowest = 4, highest = 0
        try drive(h, until: "rolled out", check: {
            let live = h.pods()
            lowest = min(lowest, live.filter { PodView($0).isReady }.count)
            highest = max(highest, live.count)
        }) {
            let all = self.sets(h, "r")
            let updated = all.contains { (s: ReplicaSetView) -> Bool in s.replicas == 4 && s.availableReplicas == 4 && WorkloadHarness.image(s) == "nginx:2" }
            let drained = all.contains { (s: ReplicaSetView) -> Bool in s.replicas == 0 && s.statusReplicas == 0 }
            return all.count == 2 && updated && drained
        }
        XCTAssertGreaterThanOrEqual(lowest, 3, "never more than maxUnavailable (1) below 4 ready")
        XCTAssertLessThanOrEqual(highest, 5, "never more than maxSurge (1) above 4")
        h.waitUntil("revision 2") { self.deployment(h, "r").meta.annotation("deployment.kubernetes.io/revision") == "2" }
        h.waitUntil("complete") { self.condition(h, "r", "Progressing")?.reason == "NewReplicaSetAvailable" }
    }

    func testRecreateRemovesOldPodsBeforeCreatingNewOnes() throws {
        let h = try WorkloadHarness(deployments: true)
        try h.create("deployments", WorkloadHarness.deployment("c", replicas: 2) { $0[path: "spec", "strategy"] = ["type": "Recreate"] })
        try drive(h, until: "two available") { self.deployment(h, "c").status["availableReplicas"]?.intValue == 2 }
        let oldSet = sets(h, "c")[0]
        try h.modify("deployments", "c") { WorkloadHarness.setImage(&$0, "nginx:2") }
        var overlapped = false
        try drive(h, until: "new set available", check: {
            let live = h.pods()
            let old = live.contains { $0.meta.controllerRef?.uid == oldSet.meta.uid }
            let new = live.contains { $0.meta.controllerRef != nil && $0.meta.controllerRef?.uid != oldSet.meta.uid }
            if old && new { overlapped = true }
        }) {
            self.sets(h, "c").contains { $0.meta.name != oldSet.meta.name && $0.availableReplicas == 2 }
        }
        XCTAssertFalse(overlapped, "old and new pods never run together")
        XCTAssertEqual(sets(h, "c").first { $0.meta.name == oldSet.meta.name }?.replicas, 0)
    }

    func testScalingChangesTheActiveSetAndItsAnnotations() throws {
        let h = try WorkloadHarness(deployments: true)
        try h.create("deployments", WorkloadHarness.deployment("s", replicas: 2))
        try drive(h, until: "two available") { self.deployment(h, "s").status["availableReplicas"]?.intValue == 2 }
        try h.modify("deployments", "s") { $0[path: "spec", "replicas"] = 5 }
        try drive(h, until: "five available") { self.deployment(h, "s").status["availableReplicas"]?.intValue == 5 }
        let rs = sets(h, "s")[0]
        XCTAssertEqual(rs.replicas, 5)
        XCTAssertEqual(rs.meta.annotation("deployment.kubernetes.io/desired-replicas"), "5")
        XCTAssertEqual(rs.meta.annotation("deployment.kubernetes.io/max-replicas"), "7")
        XCTAssertEqual(sets(h, "s").count, 1)
    }

    func testPauseHoldsTheRolloutAndResumeContinuesIt() throws {
        let h = try WorkloadHarness(deployments: true)
        try h.create("deployments", WorkloadHarness.deployment("p", replicas: 1))
        try drive(h, until: "available") { self.deployment(h, "p").status["availableReplicas"]?.intValue == 1 }
        try h.modify("deployments", "p") { $0[path: "spec", "paused"] = true }
        h.waitUntil("paused condition") { self.condition(h, "p", "Progressing").map { $0 == ("Unknown", "DeploymentPaused") } ?? false }
        try h.modify("deployments", "p") { WorkloadHarness.setImage(&$0, "nginx:2") }
        h.settle()
        XCTAssertEqual(sets(h, "p").count, 1, "no rollout while paused")
        try h.modify("deployments", "p") { $0[path: "spec", "paused"] = false }
        try drive(h, until: "rolled out after resume") {
            self.sets(h, "p").count == 2 && self.condition(h, "p", "Progressing")?.reason == "NewReplicaSetAvailable"
        }
    }

    func testRevisionHistoryLimitDeletesOldSets() throws {
        let h = try WorkloadHarness(deployments: true)
        try h.create("deployments", WorkloadHarness.deployment("hist", replicas: 1) { $0[path: "spec", "revisionHistoryLimit"] = 1 })
        for image in ["nginx:2", "nginx:3", "nginx:4"] {
            try drive(h, until: "rolled out") { self.rolledOut(h, "hist") }
            try h.modify("deployments", "hist") { WorkloadHarness.setImage(&$0, image) }
        }
        try drive(h, until: "one new and one old set remain") {
            let all = self.sets(h, "hist")
            return all.count == 2 && all.contains { WorkloadHarness.image($0) == "nginx:4" && $0.availableReplicas == 1 }
        }
        XCTAssertEqual(Set(sets(h, "hist").map { $0.meta.annotation("deployment.kubernetes.io/revision") ?? "" }), ["3", "4"])
    }

    func testProgressDeadlineExceededOnTheInjectedClock() throws {
        let h = try WorkloadHarness(deployments: true)
        try h.create("deployments", WorkloadHarness.deployment("slow", replicas: 1) { $0[path: "spec", "progressDeadlineSeconds"] = 30 })
        // The reason moves from NewReplicaSetCreated to ReplicaSetUpdated as the set's status is
        // written; either way the rollout is progressing and not available.
        h.waitUntil("new set created, not available") {
            ["NewReplicaSetCreated", "ReplicaSetUpdated"].contains(self.condition(h, "slow", "Progressing")?.reason ?? "")
                && self.condition(h, "slow", "Available")?.status == "False"
        }
        h.settle()
        h.timers.advance(by: .seconds(20))
        h.settle()
        XCTAssertEqual(condition(h, "slow", "Progressing")?.status, "True", "within the deadline")
        h.timers.advance(by: .seconds(12))
        h.waitUntil("deadline exceeded") { self.condition(h, "slow", "Progressing").map { $0 == ("False", "ProgressDeadlineExceeded") } ?? false }
        XCTAssertEqual(deployment(h, "slow").condition("Progressing")?["message"]?.stringValue, "ReplicaSet \"\(sets(h, "slow")[0].meta.name)\" has timed out progressing.")
    }

    func testHashAndFenceposts() throws {
        let template = WorkloadHarness.template("x")
        let plain = PodTemplateHash.compute(template, collisionCount: nil)
        XCTAssertNotEqual(plain, PodTemplateHash.compute(template, collisionCount: 1))
        XCTAssertEqual(plain, PodTemplateHash.compute(template, collisionCount: nil))
        XCTAssertTrue(plain.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        let d = DeploymentView(["spec": ["replicas": 10, "strategy": ["type": "RollingUpdate",
                                                                      "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]]]])
        XCTAssertEqual(DeploymentSpecMath.maxSurge(d), 3, "surge rounds up")
        XCTAssertEqual(DeploymentSpecMath.maxUnavailable(d), 2, "unavailable rounds down")
        let zero = DeploymentView(["spec": ["replicas": 1, "strategy": ["type": "RollingUpdate",
                                                                        "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]]]])
        XCTAssertEqual(DeploymentSpecMath.maxSurge(zero), 1)
        XCTAssertEqual(DeploymentSpecMath.maxUnavailable(zero), 0)
    }
}
