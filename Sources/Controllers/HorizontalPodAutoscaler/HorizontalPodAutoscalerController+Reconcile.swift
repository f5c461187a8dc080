import APIMachinery
import ControllerRuntime
import Foundation
import Registry

extension HorizontalPodAutoscalerController {
    struct ReconcileError: Error, CustomStringConvertible { var description: String }

    /// reconcileAutoscaler.
    func reconcile(_ hpa: JSON, key: String, _ context: ControllerContext) throws {
        let now = context.timers.now()
        var status = HorizontalPodAutoscalerStatus(hpa, now: now)
        let original = status.object
        let spec = hpa["spec"] ?? [:]
        let ref = spec["scaleTargetRef"] ?? [:]
        let kind = ref["kind"]?.stringValue ?? "", targetName = ref["name"]?.stringValue ?? ""
        let namespace = hpa.meta.namespace
        let reference = "\(kind)/\(namespace)/\(targetName)"
        let warn: (String, String) -> Void = { reason, message in
            context.events.record(hpa, type: .warning, reason: reason, message: message, component: Self.component)
        }

        // The target's scale, through the first served resource of the reference's group and kind.
        let scaleClient: ResourceClient, scale: JSON
        do {
            let group = try Self.group(of: ref["apiVersion"]?.stringValue ?? "")
            guard let resource = context.registry.servedResources.first(where: { $0.group == group && $0.kind == kind }),
                  let store = context.registry.store(group: resource.group, version: resource.version, plural: resource.plural) else {
                throw ReconcileError(description: "no matches for kind \"\(kind)\" in group \"\(group)\"")
            }
            scaleClient = context.client(store)
            scale = try scaleClient.getScale(namespace: namespace, name: targetName)
        } catch {
            warn("FailedGetScale", "\(error)")
            status.setCondition("AbleToScale", false, "FailedGetScale", "the HPA controller was unable to get the target's current scale: \(error)")
            try updateStatusIfNeeded(hpa, original: original, status: status.object, context)
            throw ReconcileError(description: "failed to query scale subresource for \(reference): \(error)")
        }
        status.setCondition("AbleToScale", true, "SucceededGetScale", "the HPA controller was able to get the target's current scale")
        let current = Int(scale[path: "spec", "replicas"]?.intValue ?? 0)
        histories.withLock { all in
            if all[key] == nil { all[key] = ScalingHistory(recommendations: [.init(replicas: current, time: now)]) }
        }

        let minReplicas = Int(spec["minReplicas"]?.intValue ?? 1)
        let maxReplicas = Int(spec["maxReplicas"]?.intValue ?? 0)
        var desired = 0, reason = "", rescale = true
        var metricStatuses: [JSON]?
        let behavior = spec["behavior"].flatMap { $0 == .null ? nil : $0 }
        let scaleUp = behavior.map { ScalingRules(json: $0["scaleUp"], defaultWindow: 0) } ?? .defaultScaleUp
        let scaleDown = behavior.map { ScalingRules(json: $0["scaleDown"], defaultWindow: nil) } ?? .defaultScaleDown

        if current == 0 && minReplicas != 0 {
            desired = 0
            rescale = false
            status.setCondition("ScalingActive", false, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
        } else if current > maxReplicas {
            (reason, desired) = ("Current number of replicas above Spec.MaxReplicas", maxReplicas)
        } else if current < minReplicas {
            (reason, desired) = ("Current number of replicas below Spec.MinReplicas", minReplicas)
        } else {
            let computed = computeReplicasForMetrics(hpa, scale: scale, status: &status, context, now: now)
            metricStatuses = computed.statuses
            if let error = computed.error, computed.replicas == -1 {
                status.set(current: current, metrics: metricStatuses)
                try updateStatusIfNeeded(hpa, original: original, status: status.object, context)
                warn("FailedComputeMetricsReplicas", error)
                throw ReconcileError(description: "failed to compute desired number of replicas based on listed metrics for \(reference): \(error)")
            }
            var rescaleMetric = ""
            if computed.replicas > desired { (desired, rescaleMetric) = (computed.replicas, computed.metric) }
            if desired > current { reason = "\(rescaleMetric) above target" }
            if desired < current { reason = "All metrics below target" }
            let outcome = histories.withLock { all -> ReplicaNormalizer.Outcome in
                var history = all[key] ?? ScalingHistory()
                defer { all[key] = history }
                if behavior == nil {
                    return normalizer.normalize(history: &history, current: current, desired: desired, minReplicas: minReplicas,
                                                maxReplicas: maxReplicas, now: now)
                }
                return normalizer.normalize(history: &history, scaleUp: scaleUp, scaleDown: scaleDown, current: current, desired: desired,
                                            minReplicas: minReplicas, maxReplicas: maxReplicas, now: now)
            }
            status.setCondition("AbleToScale", true, outcome.ableReason, outcome.ableMessage)
            status.setCondition("ScalingLimited", outcome.limited, outcome.limitReason, outcome.limitMessage)
            desired = outcome.replicas
            rescale = desired != current
        }

        if rescale {
            var updated = scale
            updated[path: "spec", "replicas"] = .int(Int64(desired))
            do {
                _ = try scaleClient.updateScale(namespace: namespace, name: targetName, scale: updated)
            } catch {
                warn("FailedRescale", "New size: \(desired); reason: \(reason); error: \(error)")
                status.setCondition("AbleToScale", false, "FailedUpdateScale", "the HPA controller was unable to update the target scale: \(error)")
                status.set(current: current, metrics: metricStatuses)
                try updateStatusIfNeeded(hpa, original: original, status: status.object, context)
                throw ReconcileError(description: "failed to rescale \(reference): \(error)")
            }
            status.setCondition("AbleToScale", true, "SucceededRescale", "the HPA controller was able to update the target scale to \(desired)")
            context.events.record(hpa, type: .normal, reason: "SuccessfulRescale", message: "New size: \(desired); reason: \(reason)",
                                  component: Self.component)
            if behavior != nil {
                histories.withLock { all in
                    var history = all[key] ?? ScalingHistory()
                    ReplicaNormalizer.record(history: &history, scaleUp: scaleUp, scaleDown: scaleDown, from: current, to: desired, now: now)
                    all[key] = history
                }
            }
            context.logger.info("Successfully rescaled", metadata: [
                "HPA": "\(key)", "currentReplicas": "\(current)", "desiredReplicas": "\(desired)", "reason": "\(reason)"])
        } else {
            desired = current
        }
        status.set(current: current, desired: desired, metrics: metricStatuses, rescaled: rescale)
        try updateStatusIfNeeded(hpa, original: original, status: status.object, context)
    }

    /// schema.ParseGroupVersion's group: "" for `v1`, the part before the slash otherwise.
    static func group(of apiVersion: String) throws -> String {
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !apiVersion.isEmpty: return ""
        case 2: return String(parts[0])
        case 1: return ""
        default: throw ReconcileError(description: "unexpected GroupVersion string: \(apiVersion)")
        }
    }

    /// updateStatusIfNeeded: writes the status only when it changed.
    func updateStatusIfNeeded(_ hpa: JSON, original: JSON, status: JSON, _ context: ControllerContext) throws {
        if SemanticEquality.equal(original, status) { return }
        var updated = hpa
        updated["status"] = status
        do {
            _ = try context.client(Self.autoscalers).updateStatus(namespace: hpa.meta.namespace, name: hpa.meta.name,
                                                                 body: RequestBody(value: updated))
        } catch {
            context.events.record(hpa, type: .warning, reason: "FailedUpdateStatus", message: "\(error)", component: Self.component)
            throw ReconcileError(description: "failed to update status for \(hpa.meta.name): \(error)")
        }
    }
}
