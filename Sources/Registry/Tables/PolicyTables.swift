import APIMachinery
import Foundation

/// `kubectl get` columns of the policy and scheduling kinds, as upstream's printers.go prints them:
/// printPodTemplate, printLimitRange, printResourceQuota, printNetworkPolicy, printPriorityClass,
/// printRuntimeClass and printHorizontalPodAutoscaler.
public enum PodTemplateTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Containers", description: "Names of each container in the template."),
        TableColumn(name: "Images", description: "Images referenced by each container in the template."),
        TableColumn(name: "Pod Labels", description: "The labels for the pod template."),
    ]

    public static func cells(_ template: JSON, now: Date) -> [JSON] {
        let (names, images) = PrinterFormat.containerCells(template[path: "template", "spec", "containers"])
        return [PrinterFormat.name(template), .string(names), .string(images),
                .string(PrinterFormat.labels(template[path: "template", "metadata", "labels"]))]
    }
}

public enum LimitRangeTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Created At", type: "date",
                    description: "CreationTimestamp is a timestamp representing the server time when this object was created."),
    ]

    public static func cells(_ range: JSON, now: Date) -> [JSON] {
        [PrinterFormat.name(range), range[path: "metadata", "creationTimestamp"] ?? .null]
    }
}

public enum ResourceQuotaTable {
    public static let columns: [TableColumn] = [
        .name,
        .age,
        TableColumn(name: "Request", description: "Request represents a minimum amount of cpu/memory that a container may consume."),
        TableColumn(name: "Limit", description: "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
    ]

    /// `resource: used/hard` for each resource of `status.hard` in name order; `limits.*` ones in
    /// the Limit column, the rest in Request.
    public static func cells(_ quota: JSON, now: Date) -> [JSON] {
        let hard = quota[path: "status", "hard"]?.objectValue ?? [:]
        let used = quota[path: "status", "used"]?.objectValue ?? [:]
        var requests: [String] = [], limits: [String] = []
        for resource in hard.keys.sorted() {
            let entry = "\(resource): \(quantity(used[resource]))/\(quantity(hard[resource]))"
            if resource.hasPrefix("limits.") { limits.append(entry) } else { requests.append(entry) }
        }
        return [PrinterFormat.name(quota), PrinterFormat.age(quota, now: now),
                .string(requests.joined(separator: ", ")), .string(limits.joined(separator: ", "))]
    }

    /// A quantity as Go's Quantity.String() writes it; an absent one is zero.
    static func quantity(_ value: JSON?) -> String {
        switch value {
        case .string(let text)?: (try? Quantity(parsing: text))?.canonical ?? text
        case .int(let n)?: String(n)
        default: "0"
        }
    }
}

public enum NetworkPolicyTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Pod-Selector", description: "Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace."),
        .age,
    ]

    public static func cells(_ policy: JSON, now: Date) -> [JSON] {
        let selector = PrinterFormat.selector(policy[path: "spec", "podSelector"])
        return [PrinterFormat.name(policy), .string(selector.isEmpty ? "<none>" : selector), PrinterFormat.age(policy, now: now)]
    }
}

public enum PriorityClassTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Value", type: "integer", description: "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
        TableColumn(name: "Global-Default", type: "boolean", description: "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority."),
        .age,
        TableColumn(name: "PreemptionPolicy", description: "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
    ]

    public static func cells(_ priorityClass: JSON, now: Date) -> [JSON] {
        [PrinterFormat.name(priorityClass), .int(PrinterFormat.int(priorityClass["value"])),
         .bool(priorityClass["globalDefault"]?.boolValue ?? false), PrinterFormat.age(priorityClass, now: now),
         .string(PrinterFormat.string(priorityClass["preemptionPolicy"]))]
    }
}

public enum RuntimeClassTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Handler", description: "handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class. The possible values are specific to the node & CRI configuration.  It is assumed that all handlers are available on every node, and handlers of the same name are equivalent on every node. For example, a handler called \"runc\" might specify that the runc OCI runtime (using native Linux containers) will be used to run the containers in a pod. The Handler must be lowercase, conform to the DNS Label (RFC 1123) requirements, and is immutable."),
        .age,
    ]

    public static func cells(_ runtimeClass: JSON, now: Date) -> [JSON] {
        [PrinterFormat.name(runtimeClass), .string(PrinterFormat.string(runtimeClass["handler"])), PrinterFormat.age(runtimeClass, now: now)]
    }
}

public enum HorizontalPodAutoscalerTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Reference", description: "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count."),
        TableColumn(name: "Targets", description: "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used)."),
        TableColumn(name: "MinPods", description: "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down."),
        TableColumn(name: "MaxPods", type: "integer", description: "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas."),
        TableColumn(name: "Replicas", type: "integer", description: "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
        .age,
    ]

    public static func cells(_ hpa: JSON, now: Date) -> [JSON] {
        let target = hpa[path: "spec", "scaleTargetRef"]
        let reference = "\(PrinterFormat.string(target?["kind"]))/\(PrinterFormat.string(target?["name"]))"
        let minPods = hpa[path: "spec", "minReplicas"]?.intValue.map(String.init) ?? "<unset>"
        return [PrinterFormat.name(hpa), .string(reference), .string(targets(hpa)), .string(minPods),
                .int(PrinterFormat.int(hpa[path: "spec", "maxReplicas"])), .int(PrinterFormat.int(hpa[path: "status", "currentReplicas"])),
                PrinterFormat.age(hpa, now: now)]
    }

    /// formatHPAMetrics: `current/target` per metric (`<unknown>` before the autoscaler measured it),
    /// resource metrics prefixed with their resource; the first four, then `+ N more...`.
    static func targets(_ hpa: JSON) -> String {
        let specs = PrinterFormat.array(hpa[path: "spec", "metrics"])
        if specs.isEmpty { return "<none>" }
        let statuses = PrinterFormat.array(hpa[path: "status", "currentMetrics"])
        var list: [String] = []
        for (i, spec) in specs.enumerated() where list.count < 4 {
            let status = i < statuses.count ? statuses[i] : nil
            list.append(describe(spec, status))
        }
        let more = specs.count > 4 ? " + \(specs.count - 4) more..." : ""
        return list.joined(separator: ", ") + more
    }

    static func describe(_ spec: JSON, _ status: JSON?) -> String {
        let type = PrinterFormat.string(spec["type"])
        let key = type.isEmpty ? "" : type.prefix(1).lowercased() + type.dropFirst()
        let target = spec[key]?["target"]
        let current = status?[key]?["current"]
        func value(_ metricValue: JSON?) -> String? {
            if let utilization = metricValue?["averageUtilization"]?.intValue { return "\(utilization)%" }
            if let average = metricValue?["averageValue"]?.stringValue { return average }
            return metricValue?["value"]?.stringValue
        }
        let shown = "\(value(current) ?? "<unknown>")/\(value(target) ?? "<unknown>")"
        switch type {
        case "Resource", "ContainerResource":
            return "\(PrinterFormat.string(spec[key]?["name"])): \(shown)"
        default:
            return shown
        }
    }
}

public enum APIServiceTable {
    public static let columns: [TableColumn] = [
        .name,
        TableColumn(name: "Service", description: "The reference to the service that hosts this API endpoint."),
        TableColumn(name: "Available", description: "Whether this service is available."),
        .age,
    ]

    /// printAPIService: `Local` or `namespace/name`; the Available condition, with its reason when not True.
    public static func cells(_ service: JSON, now: Date) -> [JSON] {
        let reference = service[path: "spec", "service"]
        let shown = reference == nil || reference == .null ? "Local"
            : "\(PrinterFormat.string(reference?["namespace"]))/\(PrinterFormat.string(reference?["name"]))"
        var available = "Unknown"
        if let condition = PrinterFormat.condition(service[path: "status", "conditions"], "Available") {
            let status = PrinterFormat.string(condition["status"]), reason = PrinterFormat.string(condition["reason"])
            available = status == "True" || reason.isEmpty ? status : "\(status) (\(reason))"
        }
        return [PrinterFormat.name(service), .string(shown), .string(available), PrinterFormat.age(service, now: now)]
    }
}
