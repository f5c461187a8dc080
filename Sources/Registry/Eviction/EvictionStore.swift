import APIMachinery
import Foundation

/// The `pods/eviction` subresource (upstream's EvictionREST): a POST of a policy/v1 Eviction
/// deletes the pod unless that would violate its PodDisruptionBudget, in which case it answers
/// 429 and the client (kubectl drain) retries. An admitted eviction takes one of the budget's
/// allowed disruptions and records the pod in `status.disruptedPods`, so the disruption controller
/// does not count it as healthy while it goes.
public struct EvictionStore: Sendable {
    static let pods = GroupResource(group: "", resource: "pods")
    static let budgets = GroupResource(group: "policy", resource: "poddisruptionbudgets")
    static let groupKind = GroupKind(group: "policy", kind: "Eviction")
    /// EvictionsRetry's steps.
    static let retries = 5
    /// MaxDisruptedPodSize.
    static let maxDisruptedPods = 2000
    static let violationMessage = "Cannot evict pod as it would violate the pod's disruption budget."

    let pods: ResourceStore
    let budgets: ResourceStore

    /// Evicts pod `name`, deleting it with the Eviction's deleteOptions; answers a Success Status.
    public func create(namespace: String, name: String, eviction: JSON, deleteOptions: DeleteOptions,
                       dryRun: Bool) throws(APIError) -> JSON {
        try Self.validate(eviction, name: name)
        var options = deleteOptions
        options.dryRun = options.dryRun || dryRun
        // A caller's own resourceVersion precondition is honoured and never retried around.
        let callerPinned = options.preconditionResourceVersion != nil
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try evict(namespace: namespace, name: name, options: options)
            } catch {
                guard error.isConflict, !callerPinned, attempt < Self.retries else { throw error }
            }
        }
    }

    private func evict(namespace: String, name: String, options: DeleteOptions) throws(APIError) -> JSON {
        let stored = try pods.get(namespace: namespace, name: name)
        let pod = PodView(stored.object)
        var options = options
        // canIgnorePDB: a pod that is done, not yet running or already going costs no disruption.
        if pod.isTerminal || pod.phase == "Pending" || pod.meta.isBeingDeleted {
            // shouldEnforceResourceVersion: a pending pod must not become ready meanwhile.
            if !pod.isTerminal, !pod.meta.isBeingDeleted, options.preconditionResourceVersion == nil {
                options.preconditionResourceVersion = String(stored.revision)
            }
            return try deleteWithCondition(namespace: namespace, name: name, options: options)
        }
        let matching = budgets.list(namespace: namespace).items
            .map { PodDisruptionBudgetView($0.object) }
            .filter { $0.selects(pod.meta.labels) }
        if matching.count > 1 {
            throw APIError(code: 500, reason: "",
                           message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
        }
        guard let budget = matching.first else {
            return try deleteWithCondition(namespace: namespace, name: name, options: options)
        }
        if !pod.isReady {
            // An unready pod is not healthy: taking it costs no disruption when the policy says
            // so, or when the budget is met without it; the precondition makes sure it did not
            // become ready meanwhile.
            let healthyEnough = budget.currentHealthy >= budget.desiredHealthy && budget.desiredHealthy > 0
            if budget.unhealthyPodEvictionPolicy == "AlwaysAllow" || healthyEnough {
                if options.preconditionResourceVersion == nil { options.preconditionResourceVersion = String(stored.revision) }
                return try deleteWithCondition(namespace: namespace, name: name, options: options)
            }
        }
        try checkAndDecrement(budget, podName: name, dryRun: options.dryRun)
        return try deleteWithCondition(namespace: namespace, name: name, options: options)
    }

    /// checkAndDecrement: refuses when the budget allows no disruption (or is not yet computed for
    /// its current generation), otherwise writes the decremented status; a conflict retries the eviction.
    func checkAndDecrement(_ budget: PodDisruptionBudgetView, podName: String, dryRun: Bool) throws(APIError) {
        let name = budget.meta.name
        if budget.observedGeneration < budget.generation {
            // createTooManyRequestsError suggests a retry after 10 s.
            throw Self.tooManyRequests("The disruption budget \(name) is still being processed by the server.", retryAfter: 10)
        }
        if budget.disruptionsAllowed < 0 {
            throw APIError.forbidden(GroupResource(group: "policy", resource: "poddisruptionbudget"), name, "pdb disruptions allowed is negative")
        }
        if budget.disruptedPods.count > Self.maxDisruptedPods {
            throw APIError.forbidden(GroupResource(group: "policy", resource: "poddisruptionbudget"), name,
                                     "DisruptedPods map too big - too many evictions not confirmed by PDB controller")
        }
        if budget.disruptionsAllowed == 0 {
            throw Self.tooManyRequests("The disruption budget \(name) needs \(budget.desiredHealthy) healthy pods and has \(budget.currentHealthy) currently",
                                       retryAfter: 0)
        }
        var object = budget.object
        let allowed = budget.disruptionsAllowed - 1
        object[path: "status", "disruptionsAllowed"] = .int(allowed)
        if allowed == 0 {
            object[path: "status", "conditions"] = .array(DisruptionConditions.setting(
                object[path: "status", "conditions"]?.arrayValue ?? [],
                DisruptionConditions.allowed(false, observedGeneration: budget.observedGeneration), now: pods.now()))
        }
        if dryRun { return }
        var disrupted = object[path: "status", "disruptedPods"]?.objectValue ?? [:]
        disrupted[podName] = .string(pods.now())
        object[path: "status", "disruptedPods"] = .object(disrupted)
        _ = try StatusStore(store: budgets).update(namespace: budget.meta.namespace, name: name,
                                                   body: RequestBody(value: object), options: WriteOptions())
    }

    /// addConditionAndDeletePod: the DisruptionTarget condition tells the pod's owner why it goes.
    /// The condition is written on the latest pod (a kubelet's status write meanwhile is retried here,
    /// never by evicting again: the budget is already decremented); a pinned resourceVersion must
    /// still be the pod's, and then pins the delete to the version the condition made.
    func deleteWithCondition(namespace: String, name: String, options: DeleteOptions) throws(APIError) -> JSON {
        var options = options
        if !options.dryRun {
            var attempt = 0
            while true {
                attempt += 1
                let current = try pods.get(namespace: namespace, name: name)
                if let pinned = options.preconditionResourceVersion, pinned != String(current.revision) {
                    throw APIError.conflict(Self.pods, name, APIError.modifiedSinceRead)
                }
                var pod = current.object
                pod[path: "status", "conditions"] = .array(DisruptionConditions.setting(
                    pod[path: "status", "conditions"]?.arrayValue ?? [],
                    ["type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI", "message": "Eviction API: evicting"],
                    now: pods.now()))
                do {
                    let updated = try StatusStore(store: pods).update(namespace: namespace, name: name, body: RequestBody(value: pod),
                                                                      options: WriteOptions())
                    if options.preconditionResourceVersion != nil {
                        options.preconditionResourceVersion = updated.object.meta.resourceVersion
                    }
                    break
                } catch {
                    guard error.isConflict, options.preconditionResourceVersion == nil, attempt < ResourceStore.maxConflictRetries else {
                        throw error
                    }
                }
            }
        }
        _ = try pods.delete(namespace: namespace, name: name, options: options)
        return ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201]
    }

    /// errors.NewTooManyRequests with a DisruptionBudget cause; a suggested retry becomes the
    /// Status's retryAfterSeconds and the Retry-After header.
    static func tooManyRequests(_ cause: String, retryAfter: Int) -> APIError {
        var error = retryAfter > 0 ? APIError.tooManyRequests(violationMessage, retryAfter: retryAfter)
            : APIError(code: 429, reason: "TooManyRequests", message: violationMessage, details: APIError.Details())
        error.details?.causes = [APIError.Cause(reason: "DisruptionBudget", message: cause)]
        return error
    }

    static func validate(_ eviction: JSON, name: String) throws(APIError) {
        guard case .object = eviction else { throw APIError.badRequest("Eviction in version \"v1\" cannot be handled as a Eviction: body is not an object") }
        let kind = eviction["kind"]?.stringValue ?? "", apiVersion = eviction["apiVersion"]?.stringValue ?? ""
        if !kind.isEmpty, kind != "Eviction" {
            throw APIError.badRequest("\(kind) in version \(FieldError.quote(apiVersion)) cannot be handled as a Eviction: no kind \(FieldError.quote(kind)) is registered for version \(FieldError.quote(apiVersion))")
        }
        if !apiVersion.isEmpty, apiVersion != "policy/v1", apiVersion != "policy/v1beta1" {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (policy/v1)")
        }
        if (eviction[path: "metadata", "name"]?.stringValue ?? "") != name {
            throw APIError.badRequest("name in URL does not match name in Eviction object")
        }
    }
}

extension Registry {
    /// `pods/eviction`.
    public var podEviction: EvictionStore? {
        guard let pods = store(EvictionStore.pods), let budgets = store(EvictionStore.budgets) else { return nil }
        return EvictionStore(pods: pods, budgets: budgets)
    }
}
