/// How the node runs pods (`kubelite serve --pod-runtime`).
public enum PodRuntimeMode: String, Sendable, CaseIterable {
    /// A pod whose every image is in the image catalog runs as processes when this machine can
    /// (root, Linux namespaces); any other pod is simulated, with a `Simulated` event saying why.
    case auto
    /// Every pod runs as processes; an image the catalog does not map fails as an image that cannot
    /// be pulled (ErrImagePull, then ImagePullBackOff).
    case process
    /// No pod runs: the simulated kubelet only reports statuses.
    case simulated
}
