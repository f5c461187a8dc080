import APIMachinery
import Foundation

/// autoscaling/v2 HPAScalingRules as the controller reads them (defaults already applied by the
/// API, except scale-down's stabilization window, which the controller fills in).
struct ScalingRules: Sendable, Equatable {
    struct Policy: Sendable, Equatable {
        var type: String
        var value: Int
        var periodSeconds: Int
    }
    var stabilizationWindowSeconds: Int?
    var selectPolicy: String
    var policies: [Policy]

    init(stabilizationWindowSeconds: Int?, selectPolicy: String = "Max", policies: [Policy]) {
        self.stabilizationWindowSeconds = stabilizationWindowSeconds; self.selectPolicy = selectPolicy; self.policies = policies
    }

    init(json: JSON?, defaultWindow: Int?) {
        stabilizationWindowSeconds = json?["stabilizationWindowSeconds"]?.intValue.map(Int.init) ?? defaultWindow
        selectPolicy = json?["selectPolicy"]?.stringValue ?? "Max"
        policies = (json?["policies"]?.arrayValue ?? []).map {
            Policy(type: $0["type"]?.stringValue ?? "", value: Int($0["value"]?.intValue ?? 0), periodSeconds: Int($0["periodSeconds"]?.intValue ?? 0))
        }
    }

    /// The defaults upstream generates (GenerateHPAScaleUpRules / GenerateHPAScaleDownRules).
    static let defaultScaleUp = ScalingRules(stabilizationWindowSeconds: 0, policies: [
        Policy(type: "Pods", value: 4, periodSeconds: 15), Policy(type: "Percent", value: 100, periodSeconds: 15),
    ])
    static let defaultScaleDown = ScalingRules(stabilizationWindowSeconds: nil, policies: [
        Policy(type: "Percent", value: 100, periodSeconds: 15),
    ])

    var longestPolicyPeriod: Int { policies.map(\.periodSeconds).max() ?? 0 }
}

/// What the controller remembers of one HPA between syncs (upstream keeps these in maps keyed by
/// the HPA): its recent recommendations and scale events, all timed on the injected clock.
struct ScalingHistory: Sendable {
    struct Recommendation: Sendable, Equatable { var replicas: Int; var time: Date }
    struct ScaleEvent: Sendable, Equatable { var change: Int; var time: Date; var outdated = false }
    var recommendations: [Recommendation] = []
    var scaleUpEvents: [ScaleEvent] = []
    var scaleDownEvents: [ScaleEvent] = []
}

/// normalizeDesiredReplicas and normalizeDesiredReplicasWithBehaviors: a metric's proposal
/// stabilized against recent recommendations, then bounded by min/max replicas and the rate
/// limits, with the AbleToScale reason and the ScalingLimited condition each step sets.
struct ReplicaNormalizer: Sendable {
    /// --horizontal-pod-autoscaler-downscale-stabilization.
    var downscaleStabilizationWindow: TimeInterval = 300
    static let scaleUpLimitFactor = 2.0
    static let scaleUpLimitMinimum = 4.0

    struct Outcome: Sendable, Equatable {
        var replicas: Int
        /// AbleToScale True's reason and message (ScaleUpStabilized, ScaleDownStabilized, ReadyForNewScale).
        var ableReason: String
        var ableMessage: String
        /// ScalingLimited: whether the bound changed the recommendation, its reason and message.
        var limited: Bool
        var limitReason: String
        var limitMessage: String
    }

    /// Without `behavior` (the legacy path).
    func normalize(history: inout ScalingHistory, current: Int, desired: Int, minReplicas: Int, maxReplicas: Int, now: Date) -> Outcome {
        let stabilized = stabilize(history: &history, desired: desired, now: now)
        let (ableReason, ableMessage) = stabilized != desired
            ? ("ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation")
            : ("ReadyForNewScale", "recommended size matches current size")
        let limit = Int(max(Self.scaleUpLimitFactor * Double(current), Self.scaleUpLimitMinimum))
        var maximum: Int, reason: String, message: String
        if maxReplicas > limit {
            (maximum, reason, message) = (limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
        } else {
            (maximum, reason, message) = (maxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
        }
        var replicas = stabilized
        if stabilized < minReplicas {
            (replicas, reason, message) = (minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
        } else if stabilized > maximum {
            replicas = maximum
        } else {
            (reason, message) = ("DesiredWithinRange", "the desired count is within the acceptable range")
        }
        return Outcome(replicas: replicas, ableReason: ableReason, ableMessage: ableMessage,
                       limited: replicas != stabilized, limitReason: reason, limitMessage: message)
    }

    /// stabilizeRecommendation: the highest recommendation within the downscale window; the newest
    /// replaces one that fell out of it.
    private func stabilize(history: inout ScalingHistory, desired: Int, now: Date) -> Int {
        var highest = desired
        let cutoff = now.addingTimeInterval(-downscaleStabilizationWindow)
        var old: Int?
        for (i, r) in history.recommendations.enumerated() {
            if r.time < cutoff { old = i } else if r.replicas > highest { highest = r.replicas }
        }
        let entry = ScalingHistory.Recommendation(replicas: desired, time: now)
        if let old { history.recommendations[old] = entry } else { history.recommendations.append(entry) }
        return highest
    }

    /// With `behavior`: stabilization windows up and down, then the policies' rate limits.
    func normalize(history: inout ScalingHistory, scaleUp: ScalingRules, scaleDown: ScalingRules, current: Int, desired: Int,
                   minReplicas: Int, maxReplicas: Int, now: Date) -> Outcome {
        var down = scaleDown
        if down.stabilizationWindowSeconds == nil { down.stabilizationWindowSeconds = Int(downscaleStabilizationWindow) }
        let (stabilized, stabilizedReason, stabilizedMessage) = stabilize(history: &history, up: scaleUp, down: down,
                                                                          current: current, desired: desired, now: now)
        let (ableReason, ableMessage) = stabilized != desired
            ? (stabilizedReason, stabilizedMessage) : ("ReadyForNewScale", "recommended size matches current size")
        let (replicas, reason, message) = limitRate(history: history, up: scaleUp, down: down, current: current,
                                                    desired: stabilized, minReplicas: minReplicas, maxReplicas: maxReplicas, now: now)
        return Outcome(replicas: replicas, ableReason: ableReason, ableMessage: ableMessage,
                       limited: replicas != stabilized, limitReason: reason, limitMessage: message)
    }

    /// stabilizeRecommendationWithBehaviors: between the lowest recommendation of the scale-up
    /// window and the highest of the scale-down window.
    private func stabilize(history: inout ScalingHistory, up: ScalingRules, down: ScalingRules, current: Int, desired: Int,
                           now: Date) -> (Int, String, String) {
        var upRecommendation = desired, downRecommendation = desired
        let upCutoff = now.addingTimeInterval(-TimeInterval(up.stabilizationWindowSeconds ?? 0))
        let downCutoff = now.addingTimeInterval(-TimeInterval(down.stabilizationWindowSeconds ?? 0))
        var old: Int?
        for (i, r) in history.recommendations.enumerated() {
            if r.time > upCutoff { upRecommendation = min(r.replicas, upRecommendation) }
            if r.time > downCutoff { downRecommendation = max(r.replicas, downRecommendation) }
            if r.time < upCutoff && r.time < downCutoff { old = i }
        }
        var recommendation = current
        if recommendation < upRecommendation { recommendation = upRecommendation }
        if recommendation > downRecommendation { recommendation = downRecommendation }
        let entry = ScalingHistory.Recommendation(replicas: desired, time: now)
        if let old { history.recommendations[old] = entry } else { history.recommendations.append(entry) }
        if desired >= current {
            return (recommendation, "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation")
        }
        return (recommendation, "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation")
    }

    /// convertDesiredReplicasWithBehaviorRate.
    private func limitRate(history: ScalingHistory, up: ScalingRules, down: ScalingRules, current: Int, desired: Int,
                           minReplicas: Int, maxReplicas: Int, now: Date) -> (Int, String, String) {
        if desired > current {
            let limit = max(current, Self.scaleUpLimit(current: current, history: history, rules: up, now: now))
            if maxReplicas > limit {
                if desired > limit { return (limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate") }
            } else if desired > maxReplicas {
                return (maxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
            }
        } else if desired < current {
            let limit = min(current, Self.scaleDownLimit(current: current, history: history, rules: down, now: now))
            if minReplicas < limit {
                if desired < limit { return (limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate") }
            } else if desired < minReplicas {
                return (minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
            }
        }
        return (desired, "DesiredWithinRange", "the desired count is within the acceptable range")
    }

    /// getReplicasChangePerPeriod.
    static func change(in periodSeconds: Int, _ events: [ScalingHistory.ScaleEvent], now: Date) -> Int {
        let cutoff = now.addingTimeInterval(-TimeInterval(periodSeconds))
        return events.filter { $0.time > cutoff }.reduce(0) { $0 + $1.change }
    }

    /// calculateScaleUpLimitWithScalingRules.
    static func scaleUpLimit(current: Int, history: ScalingHistory, rules: ScalingRules, now: Date) -> Int {
        if rules.selectPolicy == "Disabled" { return current }
        let pickMin = rules.selectPolicy == "Min"
        var result = pickMin ? Int(Int32.max) : Int(Int32.min)
        for policy in rules.policies {
            let start = current - change(in: policy.periodSeconds, history.scaleUpEvents, now: now)
                + change(in: policy.periodSeconds, history.scaleDownEvents, now: now)
            let proposed = policy.type == "Pods" ? start + policy.value
                : Int((Double(start) * (1 + Double(policy.value) / 100)).rounded(.up))
            result = pickMin ? min(result, proposed) : max(result, proposed)
        }
        return result
    }

    /// calculateScaleDownLimitWithBehaviors.
    static func scaleDownLimit(current: Int, history: ScalingHistory, rules: ScalingRules, now: Date) -> Int {
        if rules.selectPolicy == "Disabled" { return current }
        let pickMin = rules.selectPolicy == "Min"
        var result = pickMin ? Int(Int32.min) : Int(Int32.max)
        for policy in rules.policies {
            let start = current - change(in: policy.periodSeconds, history.scaleUpEvents, now: now)
                + change(in: policy.periodSeconds, history.scaleDownEvents, now: now)
            let proposed = policy.type == "Pods" ? start - policy.value
                : Int(Double(start) * (1 - Double(policy.value) / 100))
            result = pickMin ? max(result, proposed) : min(result, proposed)
        }
        return result
    }

    /// storeScaleEvent: records a rescale, reusing an entry older than the longest policy period.
    static func record(history: inout ScalingHistory, scaleUp: ScalingRules, scaleDown: ScalingRules, from: Int, to: Int, now: Date) {
        let up = to > from
        let period = TimeInterval(up ? scaleUp.longestPolicyPeriod : scaleDown.longestPolicyPeriod)
        var events = up ? history.scaleUpEvents : history.scaleDownEvents
        var old: Int?
        for i in events.indices {
            if events[i].time < now.addingTimeInterval(-period) { events[i].outdated = true }
            if events[i].outdated { old = i }
        }
        let event = ScalingHistory.ScaleEvent(change: abs(to - from), time: now)
        if let old { events[old] = event } else { events.append(event) }
        if up { history.scaleUpEvents = events } else { history.scaleDownEvents = events }
    }
}
