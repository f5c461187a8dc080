import APIMachinery

/// ServiceAccounts (pkg/registry/core/serviceaccount/strategy.go, ValidateServiceAccount): names
/// are DNS subdomains; `secrets` and `imagePullSecrets` are references the API does not check.
public struct ServiceAccountStrategy: ResourceStrategy {
    public init() {}
    public var resource: APIResource { ResourceCatalog.serviceAccounts }
}
