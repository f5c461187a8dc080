import APIMachinery
import Foundation
import Registry
import Synchronization

/// The kubelet's token manager (pkg/kubelet/token): the tokens of `serviceAccountToken`
/// projections, requested through the pod's account's TokenRequest bound to the pod, and kept until
/// 80% of their lifetime (or 24 hours) has passed, so the volume's refresh every few seconds does
/// not mint a token each time.
final class ProjectedServiceAccountTokens: Sendable {
    struct Key: Hashable {
        var podUID: String
        var audience: String
        var expirationSeconds: Int64
    }

    struct Token {
        var value: String
        var refreshAt: Date
    }

    /// Asks for a token: namespace, account, TokenRequest body → the answered TokenRequest.
    typealias Request = @Sendable (_ namespace: String, _ account: String, _ body: JSON) throws(APIError) -> JSON

    private let request: Request
    private let clock: @Sendable () -> Date
    private let cache = Mutex<[Key: Token]>([:])

    init(clock: @escaping @Sendable () -> Date, request: @escaping Request) {
        self.clock = clock
        self.request = request
    }

    /// The token for one projection of `pod`; the error is the kubelet's ("failed to fetch token: ...").
    func token(pod: JSON, audience: String?, expirationSeconds: Int64) throws(ProcessPodVolumes.VolumeError) -> String {
        let key = Key(podUID: pod.meta.uid, audience: audience ?? "", expirationSeconds: expirationSeconds)
        let now = clock()
        if let cached = cache.withLock({ $0[key] }), cached.refreshAt > now { return cached.value }
        var spec: JSONObject = [
            "expirationSeconds": .int(expirationSeconds),
            "boundObjectRef": ["apiVersion": "v1", "kind": "Pod", "name": .string(pod.meta.name), "uid": .string(pod.meta.uid)],
        ]
        if let audience, !audience.isEmpty { spec["audiences"] = [.string(audience)] }
        let account = PodView(pod).serviceAccountName ?? "default"
        let answer: JSON
        do {
            answer = try request(pod.meta.namespace, account, ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                                                                "spec": .object(spec)])
        } catch {
            throw ProcessPodVolumes.VolumeError(description: "failed to fetch token: \(error.message)")
        }
        guard let value = answer[path: "status", "token"]?.stringValue,
              let expiry = Timestamp.parse(answer[path: "status", "expirationTimestamp"]?.stringValue ?? "") else {
            throw ProcessPodVolumes.VolumeError(description: "failed to fetch token: the TokenRequest answer has no token")
        }
        // requiresRefresh: at 80% of the lifetime, or after 24 hours.
        let lifetime = expiry.timeIntervalSince(now)
        let refreshAt = now.addingTimeInterval(min(lifetime * 0.8, 24 * 3600))
        cache.withLock { $0[key] = Token(value: value, refreshAt: refreshAt) }
        return value
    }

    /// Forgets a pod's tokens (it is gone).
    func forget(podUID: String) { cache.withLock { $0 = $0.filter { $0.key.podUID != podUID } } }
}
