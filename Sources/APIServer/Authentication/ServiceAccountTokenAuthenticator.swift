import Registry

/// Service account tokens (TokenRequest, projected volume and legacy Secret tokens) through the same
/// signer and validator TokenReview uses: signature, issuer, expiry, audience (the API server's own),
/// then the account and the pod, secret or node the token is bound to must still exist with the uids
/// the token names. Another issuer's token is left to the other sources.
struct ServiceAccountTokenAuthenticator: TokenAuthenticator {
    let registry: Registry

    func authenticate(token: String) -> AuthenticationOutcome {
        guard let reviews = registry.tokenReviews else { return .notPresented }
        do {
            return .authenticated(try reviews.authenticate(token: token))
        } catch {
            switch error {
            case .notOurs: return .notPresented
            case .invalid(let reason): return .rejected(reason)
            }
        }
    }
}
