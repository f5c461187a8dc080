import APIMachinery
import Foundation
import Registry

/// What the cluster's identity controllers and signer give every namespace, for node tests that run
/// without them: the `default` ServiceAccount, `kube-root-ca.crt`, and a signer, so the
/// ServiceAccount admission's `kube-api-access-*` volume mounts.
enum NodeTestIdentity {
    static let caBundle = "-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n"

    /// Signs nothing: the token is a readable stand-in (the kubelet only writes it into the volume).
    struct Issuer: ServiceAccountTokenIssuer {
        let issuer = "https://kubernetes.default.svc.cluster.local"
        var apiAudiences: [String] { [issuer] }
        func generateToken(_ claims: ServiceAccountTokenClaims) throws -> String { "test-token-for-\(claims.subject)" }
        func verifyToken(_ token: String, audiences: [String], now: Date) throws(TokenRejection) -> ServiceAccountTokenClaims {
            throw .notOurs
        }
        func generateLegacyToken(_ claims: LegacyServiceAccountTokenClaims) throws -> String { "legacy-\(claims.secretName)" }
        func jwks() throws -> JSON { ["keys": []] }
        func openIDConfiguration(jwksURI: String) -> JSON { [:] }
    }

    static func provide(_ registry: Registry, namespaces: [String] = ["default"]) throws {
        registry.connectTokenIssuer(Issuer())
        for namespace in namespaces {
            let account: JSON = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default"]]
            _ = try registry.store(group: "", plural: "serviceaccounts")!.create(namespace: namespace, body: RequestBody(value: account),
                                                                                options: WriteOptions())
            let map: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "kube-root-ca.crt"],
                             "data": ["ca.crt": .string(caBundle)]]
            _ = try registry.store(group: "", plural: "configmaps")!.create(namespace: namespace, body: RequestBody(value: map),
                                                                           options: WriteOptions())
        }
    }
}
