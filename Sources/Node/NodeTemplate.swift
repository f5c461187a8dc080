import APIMachinery
import ControllerRuntime
import Foundation

/// The Node and Lease objects a kubelet registers, shaped as a 1.32 kubelet writes them
/// (labels, annotations, capacity, conditions with their reasons and messages, addresses,
/// daemon endpoints, node info).
enum NodeTemplate {
    static let kubeletVersion = "v1.32.0"
    static let containerRuntimeVersion = "kubelite://0.1"
    static let leaseNamespace = "kube-node-lease"
    static let leaseDurationSeconds: Int64 = 40

    /// The conditions a healthy kubelet reports, in its order.
    static let healthyConditions: [(type: String, status: String, reason: String, message: String)] = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]

    static func node(name: String, index: Int, options: SimulatedNodeOptions, now: Date) -> JSON {
        let cidr = options.podCIDR(index: index).description
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": .string(name),
                "labels": [
                    "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux",
                ],
                "annotations": [
                    "node.alpha.kubernetes.io/ttl": "0",
                    "volumes.kubernetes.io/controller-managed-attach-detach": "true",
                ],
            ],
            "spec": ["podCIDR": .string(cidr), "podCIDRs": [.string(cidr)]],
            "status": status(name: name, index: index, options: options, now: now, previous: nil),
        ]
    }

    /// The node's status; conditions keep their previous transition times when unchanged, and
    /// every heartbeat moves to `now`.
    static func status(name: String, index: Int, options: SimulatedNodeOptions, now: Date, previous: JSON?) -> JSON {
        let resources: JSON = [
            "cpu": .string(options.cpu), "ephemeral-storage": .string(options.ephemeralStorage),
            "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": .string(options.memory),
            "pods": .string(String(options.pods)),
        ]
        let stamp = JSON.string(Timestamp.format(now))
        let old = previous?["conditions"]?.arrayValue ?? []
        let conditions: [JSON] = healthyConditions.map { c in
            let before = old.first { $0["type"]?.stringValue == c.type }
            let transition = before?["status"]?.stringValue == c.status ? (before?["lastTransitionTime"] ?? stamp) : stamp
            return ["type": .string(c.type), "status": .string(c.status), "lastHeartbeatTime": stamp,
                    "lastTransitionTime": transition, "reason": .string(c.reason), "message": .string(c.message)]
        }
        return [
            "capacity": resources, "allocatable": resources,
            "conditions": .array(conditions),
            "addresses": [
                ["type": "InternalIP", "address": .string(SimulatedNodeOptions.internalIP(index: index))],
                ["type": "Hostname", "address": .string(name)],
            ],
            "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
            "nodeInfo": [
                "machineID": .string(stableHex(name + "/machine", length: 32)),
                "systemUUID": .string(uuid(stableHex(name + "/system", length: 32))),
                "bootID": .string(uuid(stableHex(name + "/boot", length: 32))),
                "kernelVersion": "6.1.0-kubelite", "osImage": "Kubelite simulated node",
                "containerRuntimeVersion": .string(containerRuntimeVersion), "kubeletVersion": .string(kubeletVersion),
                "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": "amd64",
            ],
        ]
    }

    /// The node's heartbeat Lease, owned by the Node so it goes when the node does.
    static func lease(node: JSON, now: Date) -> JSON {
        let name = JSON.string(node.meta.name)
        return [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": [
                "name": name, "namespace": .string(leaseNamespace),
                "ownerReferences": [[
                    "apiVersion": "v1", "kind": "Node", "name": name,
                    "uid": .string(node.meta.uid),
                ]],
            ],
            "spec": [
                "holderIdentity": name, "leaseDurationSeconds": .int(leaseDurationSeconds),
                "renewTime": .string(Timestamp.formatMicro(now)),
            ],
        ]
    }

    /// A deterministic hex string derived from `seed` (FNV-1a rounds), for IDs that must stay the
    /// same across restarts.
    static func stableHex(_ seed: String, length: Int) -> String {
        var out = ""
        var round: UInt64 = 0
        while out.count < length {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ round
            for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            let piece = String(hash, radix: 16)
            out += String(repeating: "0", count: 16 - piece.count) + piece
            round += 1
        }
        return String(out.prefix(length))
    }

    static func uuid(_ hex: String) -> String {
        let c = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(c[$0]) }.joined(separator: "-")
    }
}
