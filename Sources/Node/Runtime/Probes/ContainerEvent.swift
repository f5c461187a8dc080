import Foundation

/// An event the kubelet records about one container (Unhealthy, Killing, FailedPreStopHook, ...).
public struct ContainerEvent: Sendable, Equatable {
    public var container: String
    public var warning: Bool
    public var reason: String
    public var message: String

    static func warning(_ container: String, _ reason: String, _ message: String) -> ContainerEvent {
        ContainerEvent(container: container, warning: true, reason: reason, message: message)
    }

    static func normal(_ container: String, _ reason: String, _ message: String) -> ContainerEvent {
        ContainerEvent(container: container, warning: false, reason: reason, message: message)
    }
}
