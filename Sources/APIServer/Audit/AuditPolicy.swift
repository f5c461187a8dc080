import APIMachinery
import Foundation
import Registry

/// `--audit-policy-file`: an `audit.k8s.io/v1` `Policy`. The first rule matching a request sets its
/// level; a request no rule matches is not audited (k8s.io/apiserver/pkg/audit/policy's checker).
public struct AuditPolicy: Sendable {
    public enum Level: String, Sendable, Comparable {
        case none = "None", metadata = "Metadata", request = "Request", requestResponse = "RequestResponse"
        static let order: [Level] = [.none, .metadata, .request, .requestResponse]
        public static func < (a: Level, b: Level) -> Bool { order.firstIndex(of: a)! < order.firstIndex(of: b)! }
    }

    public enum Stage: String, Sendable, CaseIterable {
        case requestReceived = "RequestReceived", responseStarted = "ResponseStarted"
        case responseComplete = "ResponseComplete", panic = "Panic"
    }

    struct GroupResources: Sendable {
        var group: String
        var resources: [String]
        var resourceNames: [String]
    }

    struct Rule: Sendable {
        var level: Level
        var users: [String] = []
        var userGroups: [String] = []
        var verbs: [String] = []
        var resources: [GroupResources] = []
        var namespaces: [String] = []
        var nonResourceURLs: [String] = []
        var omitStages: [Stage] = []
        var omitManagedFields: Bool?
    }

    /// What the checker decided for one request.
    public struct Decision: Sendable {
        public var level: Level
        public var omitStages: Set<Stage>
        public var omitManagedFields: Bool
    }

    /// What a rule is matched against: the authorizer's attributes of the request.
    struct Attributes {
        var user: UserInfo
        var verb: String
        var isResourceRequest: Bool
        var path: String
        var group = "", resource = "", subresource = "", namespace = "", name = ""
    }

    var rules: [Rule]
    var omitStages: [Stage]
    var omitManagedFields: Bool

    public static func load(path: String) throws(AuditPolicyError) -> AuditPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditPolicyError("failed to read audit policy file \"\(path)\"")
        }
        return try parse(Array(data))
    }

    static func parse(_ bytes: [UInt8]) throws(AuditPolicyError) -> AuditPolicy {
        let document: JSON
        do { document = try YAMLCodec.decode(bytes).value } catch {
            throw AuditPolicyError("failed decoding audit policy: \(error.message)")
        }
        guard document["kind"]?.stringValue == "Policy",
              ["audit.k8s.io/v1", "audit.k8s.io/v1beta1"].contains(document["apiVersion"]?.stringValue ?? "") else {
            throw AuditPolicyError("failed decoding audit policy: want kind Policy, apiVersion audit.k8s.io/v1")
        }
        let rules = document["rules"]?.arrayValue ?? []
        guard !rules.isEmpty else { throw AuditPolicyError("loaded illegal policy with 0 rules") }
        var parsed: [Rule] = []
        for (index, rule) in rules.enumerated() { parsed.append(try parseRule(rule, path: "rules[\(index)]")) }
        return AuditPolicy(rules: parsed, omitStages: try stages(document["omitStages"], path: "omitStages"),
                           omitManagedFields: document["omitManagedFields"]?.boolValue ?? false)
    }

    private static func strings(_ value: JSON?) -> [String] { (value?.arrayValue ?? []).compactMap(\.stringValue) }

    private static func stages(_ value: JSON?, path: String) throws(AuditPolicyError) -> [Stage] {
        var result: [Stage] = []
        for name in strings(value) {
            guard let stage = Stage(rawValue: name) else {
                throw AuditPolicyError("\(path): Unsupported value: \"\(name)\": supported values: \"RequestReceived\", \"ResponseStarted\", \"ResponseComplete\", \"Panic\"")
            }
            result.append(stage)
        }
        return result
    }

    private static func parseRule(_ rule: JSON, path: String) throws(AuditPolicyError) -> Rule {
        guard let name = rule["level"]?.stringValue, let level = Level(rawValue: name) else {
            throw AuditPolicyError("\(path).level: Unsupported value: \"\(rule["level"]?.stringValue ?? "")\": supported values: \"None\", \"Metadata\", \"Request\", \"RequestResponse\"")
        }
        var parsed = Rule(level: level, users: strings(rule["users"]), userGroups: strings(rule["userGroups"]),
                          verbs: strings(rule["verbs"]), namespaces: strings(rule["namespaces"]),
                          nonResourceURLs: strings(rule["nonResourceURLs"]),
                          omitStages: try stages(rule["omitStages"], path: "\(path).omitStages"),
                          omitManagedFields: rule["omitManagedFields"]?.boolValue)
        parsed.resources = (rule["resources"]?.arrayValue ?? []).map { entry in
            GroupResources(group: entry["group"]?.stringValue ?? "", resources: strings(entry["resources"]),
                           resourceNames: strings(entry["resourceNames"]))
        }
        if !parsed.nonResourceURLs.isEmpty, !parsed.resources.isEmpty || !parsed.namespaces.isEmpty {
            throw AuditPolicyError("\(path).nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs")
        }
        return parsed
    }

    /// The level and stages for a request: the first matching rule's, or None.
    func decide(_ attributes: Attributes) -> Decision {
        for rule in rules where Self.matches(rule, attributes) {
            return Decision(level: rule.level, omitStages: Set(omitStages + rule.omitStages),
                            omitManagedFields: rule.omitManagedFields ?? omitManagedFields)
        }
        return Decision(level: .none, omitStages: Set(omitStages), omitManagedFields: omitManagedFields)
    }

    static func matches(_ rule: Rule, _ request: Attributes) -> Bool {
        if !rule.users.isEmpty, !rule.users.contains(request.user.username) { return false }
        if !rule.userGroups.isEmpty, !rule.userGroups.contains(where: request.user.groups.contains) { return false }
        if !rule.verbs.isEmpty, !rule.verbs.contains(request.verb) { return false }
        if !rule.namespaces.isEmpty || !rule.resources.isEmpty { return matchesResource(rule, request) }
        if !rule.nonResourceURLs.isEmpty {
            return !request.isResourceRequest && rule.nonResourceURLs.contains { pattern in
                pattern == "*" || pattern == request.path
                    || (pattern.hasSuffix("*") && request.path.hasPrefix(String(pattern.dropLast())))
            }
        }
        return true
    }

    private static func matchesResource(_ rule: Rule, _ request: Attributes) -> Bool {
        guard request.isResourceRequest else { return false }
        if !rule.namespaces.isEmpty, !rule.namespaces.contains(request.namespace) { return false }
        if rule.resources.isEmpty { return true }
        let combined = request.subresource.isEmpty ? request.resource : "\(request.resource)/\(request.subresource)"
        for entry in rule.resources where entry.group == request.group {
            if entry.resources.isEmpty { return true }
            guard entry.resourceNames.isEmpty || entry.resourceNames.contains(request.name) else { continue }
            for pattern in entry.resources {
                if pattern == combined || pattern == "*" { return true }
                if !request.subresource.isEmpty, pattern == "*/\(request.subresource)" { return true }
                if pattern.hasSuffix("/*"), String(pattern.dropLast(2)) == request.resource { return true }
            }
        }
        return false
    }
}

/// A policy file Kubelite cannot start with.
public struct AuditPolicyError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
