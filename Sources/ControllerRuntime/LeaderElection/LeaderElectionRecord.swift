import APIMachinery
import Foundation

/// What a Lease says about its holder (client-go's resourcelock.LeaderElectionRecord), read from
/// and written to a coordination.k8s.io/v1 Lease's spec.
public struct LeaderElectionRecord: Sendable, Equatable {
    /// Empty when nobody holds the Lease (never acquired, or released): anyone may take it at once.
    public var holderIdentity: String
    public var leaseDurationSeconds: Int
    public var acquireTime: Date?
    public var renewTime: Date?
    /// How many times the Lease changed hands.
    public var leaseTransitions: Int

    public init(holderIdentity: String, leaseDurationSeconds: Int, acquireTime: Date?, renewTime: Date?, leaseTransitions: Int) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }

    /// The record in a Lease object (missing fields as zero values, as leaselock reads them).
    public init(lease: JSON) {
        let spec = lease["spec"]
        holderIdentity = spec?["holderIdentity"]?.stringValue ?? ""
        leaseDurationSeconds = Int(spec?["leaseDurationSeconds"]?.intValue ?? 0)
        acquireTime = spec?["acquireTime"]?.stringValue.flatMap(Timestamp.parse)
        renewTime = spec?["renewTime"]?.stringValue.flatMap(Timestamp.parse)
        leaseTransitions = Int(spec?["leaseTransitions"]?.intValue ?? 0)
    }

    /// The Lease's spec for this record (times as MicroTime, as leaselock writes them).
    var spec: JSON {
        var spec: JSON = ["holderIdentity": .string(holderIdentity), "leaseDurationSeconds": .int(Int64(leaseDurationSeconds)),
                          "leaseTransitions": .int(Int64(leaseTransitions))]
        if let acquireTime { spec["acquireTime"] = .string(Timestamp.formatMicro(acquireTime)) }
        if let renewTime { spec["renewTime"] = .string(Timestamp.formatMicro(renewTime)) }
        return spec
    }
}
