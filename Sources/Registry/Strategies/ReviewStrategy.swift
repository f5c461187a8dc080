import APIMachinery

/// The strategy of a create-only review kind (TokenReview, SelfSubjectReview, the access reviews):
/// it gives the kind its place in discovery, OpenAPI and decoding; the API server answers its
/// creates through `ReviewStore`, so nothing is ever stored.
public struct ReviewStrategy: ResourceStrategy {
    public let resource: APIResource
    public init(_ resource: APIResource) { self.resource = resource }
}
