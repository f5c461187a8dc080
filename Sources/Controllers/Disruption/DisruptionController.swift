import APIMachinery
import ControllerRuntime
import Foundation
import Registry

/// kube-controller-manager's disruption controller (pkg/controller/disruption): keeps each
/// PodDisruptionBudget's status (expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed,
/// the DisruptionAllowed condition) from the pods it selects and their controllers' scale, and
/// drops `disruptedPods` entries once their pods go or the eviction's deletion timed out.
public struct DisruptionController: Controller {
    public let name = "disruption-controller"
    static let budgets = GroupResource(group: "policy", resource: "poddisruptionbudgets")
    static let pods = GroupResource(group: "", resource: "pods")
    /// DeletionTimeout: how long an admitted eviction may take before its pod counts again.
    static let deletionTimeout: TimeInterval = 2 * 60
    let queue = QueueSlot()

    public init() {}

    public func register(_ context: ControllerContext) {
        let queue = WorkQueue<String>(name: "disruption", timers: context.timers)
        self.queue.set(queue)
        for resource in ExpectedScale.controllerResources { _ = context.informer(resource) }
        let budgets = context.informer(Self.budgets)
        budgets.addHandler(.init(added: { queue.add($0.meta.key) }, updated: { _, new in queue.add(new.meta.key) }))
        // A pod's change matters to the budgets selecting it, before and after the change.
        let podChanged: @Sendable (JSON) -> Void = { pod in
            for budget in budgets.list(namespace: pod.meta.namespace) where PodDisruptionBudgetView(budget).selects(pod.meta.labels) {
                queue.add(budget.meta.key)
            }
        }
        context.informer(Self.pods).addHandler(.init(added: podChanged, updated: { old, new in podChanged(old); podChanged(new) },
                                                     deleted: podChanged))
    }

    public func start(_ context: ControllerContext) {
        guard let queue = queue.get() else { return }
        for budget in context.informer(Self.budgets).list() { queue.add(budget.meta.key) }
        queue.run(workers: 1, logger: context.logger) { key in try Self.sync(key, context, queue: queue) }
    }

    /// trySync: computes the budget's status and writes it when it changed.
    static func sync(_ key: String, _ context: ControllerContext, queue: WorkQueue<String>) throws {
        let (namespace, name) = splitKey(key)
        guard let object = context.informer(budgets).get(namespace: namespace, name: name) else { return }
        let budget = PodDisruptionBudgetView(object)
        if budget.meta.isBeingDeleted { return }
        let pods = context.informer(Self.pods).list(namespace: namespace).filter { budget.selects($0.meta.labels) }
        if pods.isEmpty {
            context.events.record(object, type: .normal, reason: "NoPods", message: "No matching pods found", component: "controllermanager")
        }
        let expected: ExpectedScale.Result
        do {
            expected = try ExpectedScale.count(budget, pods: pods, context: context)
        } catch {
            context.events.record(object, type: .warning, reason: "CalculateExpectedPodCountFailed",
                                  message: "Failed to calculate the number of expected pods: \(error)", component: "controllermanager")
            try failSafe(object, error, context)
            throw error
        }
        if !expected.unmanagedPods.isEmpty {
            context.events.record(object, type: .warning, reason: "UnmanagedPods", message:
                "Pods selected by this PodDisruptionBudget (selector: \(budget.selector.queryString)) were found to be unmanaged. "
                + "As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. "
                + "To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.",
                component: "controllermanager")
        }
        let now = context.timers.now()
        let (disrupted, recheck) = disruptedPods(pods, budget, now: now, context: context)
        let healthy = pods.filter { pod in
            !pod.meta.isBeingDeleted && disrupted[pod.meta.name] == nil && PodView(pod).isReady
        }.count
        let status = PodDisruptionBudgetStatus(
            currentHealthy: Int64(healthy), desiredHealthy: expected.desiredHealthy, expectedPods: expected.expectedCount,
            disruptedPods: disrupted, observedGeneration: budget.generation)
        try status.write(over: object, context: context)
        if let recheck { queue.addAfter(key, .milliseconds(Int64(max(0, recheck.timeIntervalSince(now)) * 1000))) }
    }

    /// failSafe: a budget whose status cannot be computed allows no disruption, and says why.
    static func failSafe(_ object: JSON, _ error: ExpectedScale.Failure, _ context: ControllerContext) throws {
        let budget = PodDisruptionBudgetView(object)
        var updated = object
        updated[path: "status", "disruptionsAllowed"] = 0
        updated[path: "status", "conditions"] = .array(DisruptionConditions.setting(
            budget.status["conditions"]?.arrayValue ?? [],
            ["type": "DisruptionAllowed", "status": "False", "reason": "SyncFailed", "message": .string(error.description),
             "observedGeneration": .int(budget.observedGeneration)],
            now: Timestamp.format(context.timers.now())))
        if SemanticEquality.equal(updated["status"], object["status"]) { return }
        _ = try context.client(budgets).updateStatus(namespace: budget.meta.namespace, name: budget.meta.name,
                                                     body: RequestBody(value: updated))
    }

    /// buildDisruptedPodMap: entries of pods still there, not yet being deleted and within the
    /// deletion timeout; the earliest timeout is when to look again.
    static func disruptedPods(_ pods: [JSON], _ budget: PodDisruptionBudgetView, now: Date,
                              context: ControllerContext) -> ([String: String], Date?) {
        let recorded = budget.disruptedPods
        var kept: [String: String] = [:]
        var recheck: Date?
        for pod in pods where !pod.meta.isBeingDeleted {
            guard let since = recorded[pod.meta.name], let admitted = Timestamp.parse(since) else { continue }
            let expectedDeletion = admitted.addingTimeInterval(deletionTimeout)
            if expectedDeletion < now {
                context.events.record(pod, type: .warning, reason: "NotDeleted",
                                      message: "Pod was expected by PDB \(budget.meta.name) to be deleted but it wasn't",
                                      component: "controllermanager")
                continue
            }
            kept[pod.meta.name] = since
            recheck = min(recheck ?? expectedDeletion, expectedDeletion)
        }
        return (kept, recheck)
    }

    static func splitKey(_ key: String) -> (String, String) {
        guard let slash = key.firstIndex(of: "/") else { return ("", key) }
        return (String(key[..<slash]), String(key[key.index(after: slash)...]))
    }
}

/// The status the controller computes (updatePdbStatus).
struct PodDisruptionBudgetStatus {
    var currentHealthy: Int64
    var desiredHealthy: Int64
    var expectedPods: Int64
    var disruptedPods: [String: String]
    var observedGeneration: Int64

    var disruptionsAllowed: Int64 {
        let allowed = currentHealthy - desiredHealthy
        return expectedPods <= 0 || allowed <= 0 ? 0 : allowed
    }

    /// Writes the status through `poddisruptionbudgets/status` unless the stored one already says
    /// the same; a conflict requeues (the eviction subresource writes the same status).
    func write(over object: JSON, context: ControllerContext) throws {
        let budget = PodDisruptionBudgetView(object)
        let condition = budget.status["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "DisruptionAllowed" }
        let conditionUpToDate = condition.map {
            $0["status"]?.stringValue == (disruptionsAllowed > 0 ? "True" : "False")
                && $0["observedGeneration"]?.intValue == observedGeneration
        } ?? false
        if budget.currentHealthy == currentHealthy, budget.desiredHealthy == desiredHealthy, budget.expectedPods == expectedPods,
           budget.disruptionsAllowed == disruptionsAllowed, budget.disruptedPods == disruptedPods,
           budget.observedGeneration == observedGeneration, conditionUpToDate {
            return
        }
        var status: JSONObject = [
            "currentHealthy": .int(currentHealthy), "desiredHealthy": .int(desiredHealthy),
            "disruptionsAllowed": .int(disruptionsAllowed), "expectedPods": .int(expectedPods),
            "observedGeneration": .int(observedGeneration),
        ]
        if !disruptedPods.isEmpty { status["disruptedPods"] = .object(JSONObject(uniqueKeysWithValues: disruptedPods.map { ($0.key, JSON.string($0.value)) })) }
        status["conditions"] = .array(DisruptionConditions.setting(
            budget.status["conditions"]?.arrayValue ?? [],
            DisruptionConditions.allowed(disruptionsAllowed > 0, observedGeneration: observedGeneration),
            now: Timestamp.format(context.timers.now())))
        var updated = object
        updated["status"] = .object(status)
        do {
            _ = try context.client(DisruptionController.budgets).updateStatus(namespace: budget.meta.namespace, name: budget.meta.name,
                                                                               body: RequestBody(value: updated))
        } catch {
            if error.isNotFound { return }
            throw error
        }
    }
}
