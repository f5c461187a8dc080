/// Typed access to one of a Service's `spec.ports`.
public struct ServicePortView: Sendable, Equatable {
    var fields: ObjectFields

    public init(_ port: JSON) { fields = ObjectFields(port) }
    init(fields: ObjectFields) { self.fields = fields }

    /// The port as stored, for copying members (appProtocol) into endpoints.
    public var object: JSON { fields.object }
    public var name: String? { fields.string("name") }
    /// The protocol; absent reads as TCP, the API default.
    public var `protocol`: String { fields.string("protocol") ?? "TCP" }
    public var port: Int64? { fields.int("port") }
    public var appProtocol: String? { fields.string("appProtocol") }

    /// Where traffic goes on the pod: a number, or the name of a container port.
    public enum Target: Sendable, Equatable {
        case number(Int64)
        case name(String)
    }

    /// `targetPort`, or `port` when absent (the API's defaulting); a numeric string is a number.
    public var target: Target? {
        switch fields.json("targetPort") ?? fields.json("port") {
        case .int(let n)?: return .number(n)
        case .string(let s)?: return Int64(s).map(Target.number) ?? .name(s)
        default: return nil
        }
    }
}
