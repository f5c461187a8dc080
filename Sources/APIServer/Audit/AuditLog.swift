import APIMachinery
import Foundation
import HTTPServer
import Registry

/// The audit log (`--audit-log-path` with `--audit-policy-file`): one `audit.k8s.io/v1` `Event` per
/// line for each stage of each request the policy audits, as kube-apiserver's log backend writes them.
/// Lines are written in order on a queue of their own, so a request never waits on the disk; `flush`
/// (at shutdown) waits for every line queued.
public final class AuditLog: Sendable {
    let policy: AuditPolicy
    private let output: FileHandle
    private let queue = DispatchQueue(label: "kubelite.audit-log")

    /// `path` is a file appended to (created 0600: it may hold Secrets at the Request levels), or `-`
    /// for standard output, as upstream.
    public init(path: String, policy: AuditPolicy) throws(AuditPolicyError) {
        self.policy = policy
        if path == "-" {
            output = FileHandle.standardOutput
            return
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditPolicyError("cannot open audit log \"\(path)\": \(String(cString: strerror(errno)))") }
        output = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    func write(_ event: JSON) {
        let line = JSONWriter.encode(event) + [UInt8(ascii: "\n")]
        queue.async { [output] in try? output.write(contentsOf: line) }
    }

    public func flush() { queue.sync {} }
}

/// One request's audit record while it is served: decided once when it arrives, written at each stage
/// the policy keeps.
struct AuditRecord: Sendable {
    let log: AuditLog
    let auditID: String
    let decision: AuditPolicy.Decision
    let received: Date
    /// What the RequestReceived stage knows: upstream writes it in its filter, before the handler
    /// has decoded the body.
    let event: JSONObject
    /// What the handler adds for the later stages: `objectRef` completed from the decoded object
    /// of a create or update (upstream's audit.LogRequestObject) and, at Request and above, the
    /// `requestObject`.
    let handled: JSONObject

    init(log: AuditLog, auditID: String, decision: AuditPolicy.Decision, received: Date, event: JSONObject, handled: JSONObject) {
        (self.log, self.auditID, self.decision, self.received) = (log, auditID, decision, received)
        (self.event, self.handled) = (event, handled)
    }

    /// The record for `request`, or nil when the policy does not audit it (level None).
    init?(log: AuditLog, request: HTTPRequest, user: UserInfo, auditID: String) {
        let info = RequestInfo(method: request.method, path: request.path, isWatch: APIServer.isWatch(request))
        var attributes = AuditPolicy.Attributes(user: user, verb: info?.verb ?? request.method.lowercased(),
                                                isResourceRequest: info?.isResourceRequest ?? false, path: request.path)
        if let info, info.isResourceRequest {
            (attributes.group, attributes.resource, attributes.subresource) = (info.group, info.resource, info.subresource)
            (attributes.namespace, attributes.name) = (info.namespace ?? "", info.name)
        }
        let decision = log.policy.decide(attributes)
        guard decision.level != .none else { return nil }
        (self.log, self.auditID, self.decision, received) = (log, auditID, decision, Date())

        var event: JSONObject = [
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": .string(decision.level.rawValue),
            "auditID": .string(auditID), "requestURI": .string(RequestLog.uri(of: request)),
            "verb": .string(attributes.verb), "user": user.json,
            "sourceIPs": .array(Self.sourceIPs(request).map { .string($0) }),
        ]
        if let impersonated = try? ImpersonationRequest.parse(request)?.user, impersonated != user { event["impersonatedUser"] = impersonated.json }
        if !request.userAgent.isEmpty { event["userAgent"] = .string(request.userAgent) }
        var reference: JSONObject?
        if let info, info.isResourceRequest {
            var known: JSONObject = ["resource": .string(info.resource)]
            if let namespace = info.namespace, !namespace.isEmpty { known["namespace"] = .string(namespace) }
            if !info.name.isEmpty { known["name"] = .string(info.name) }
            if !info.group.isEmpty { known["apiGroup"] = .string(info.group) }
            if !info.version.isEmpty { known["apiVersion"] = .string(info.version) }
            if !info.subresource.isEmpty { known["subresource"] = .string(info.subresource) }
            event["objectRef"] = .object(known)
            reference = known
        }
        // The body in whichever format it came (kubectl sends protobuf for built-in kinds); a patch as the patch.
        // A create's or update's object names what `objectRef` lacks (a POST has no name in its path).
        let writesObject = reference != nil && (request.method == "POST" || request.method == "PUT")
        var handled: JSONObject = [:]
        if (writesObject || decision.level >= .request), !request.body.isEmpty,
           let body = try? BodyReader.read(request, patch: request.method == "PATCH").body.value {
            if writesObject, let known = reference { handled["objectRef"] = .object(Self.completed(known, from: body)) }
            if decision.level >= .request {
                handled["requestObject"] = decision.omitManagedFields ? Self.withoutManagedFields(body) : body
            }
        }
        self.event = event
        self.handled = handled
    }

    /// `reference` with the namespace, name, uid and resourceVersion it lacks taken from the object's
    /// metadata, as upstream's audit.LogRequestObject completes it.
    static func completed(_ reference: JSONObject, from object: JSON) -> JSONObject {
        guard let metadata = object["metadata"], case .object = metadata else { return reference }
        let meta = ObjectMetaView(metadata)
        var fields = reference
        for (field, value) in [("namespace", meta.namespace), ("name", meta.name), ("uid", meta.uid),
                               ("resourceVersion", meta.resourceVersion)] where !value.isEmpty && fields[field] == nil {
            fields[field] = .string(value)
        }
        // In audit.k8s.io/v1 ObjectReference's field order, as upstream writes it.
        var ordered: JSONObject = [:]
        for field in ["resource", "namespace", "name", "uid", "apiGroup", "apiVersion", "resourceVersion", "subresource"] {
            if let value = fields[field] { ordered[field] = value }
        }
        return ordered
    }

    /// Writes the event for `stage` unless the policy omits it; the response's status (and body at
    /// RequestResponse) from the stages that have one.
    func emit(_ stage: AuditPolicy.Stage, response: HTTPResponse? = nil) {
        guard let response else { return emit(stage, status: nil, body: nil) }
        let body: JSON? = Self.isJSON(response) ? (try? JSONParser.parse(response.bodyBytes).value) : nil
        emit(stage, status: response.status, body: body)
    }

    /// Writes the event for `stage` unless the policy omits it, with the answer's code and body when
    /// the stage has one.
    func emit(_ stage: AuditPolicy.Stage, status: Int?, body: JSON?) {
        guard !decision.omitStages.contains(stage) else { return }
        var event = self.event
        if stage != .requestReceived { for (field, value) in handled { event[field] = value } }
        event["stage"] = .string(stage.rawValue)
        event["requestReceivedTimestamp"] = .string(Timestamp.formatMicro(received))
        event["stageTimestamp"] = .string(Timestamp.formatMicro(Date()))
        if let status {
            event["responseStatus"] = Self.responseStatus(status, body: body)
            if decision.level == .requestResponse, let body, stage != .responseStarted {
                event["responseObject"] = decision.omitManagedFields ? Self.withoutManagedFields(body) : body
            }
        }
        log.write(.object(event))
    }

    /// metav1.Status as audit records it: the code, and for a failure the Status's status, reason and message.
    static func responseStatus(_ code: Int, body: JSON?) -> JSON {
        var status: JSONObject = ["metadata": .object([:]), "code": .int(Int64(code))]
        if let body, body["kind"]?.stringValue == "Status", body["status"]?.stringValue == "Failure" {
            for field in ["status", "message", "reason", "details"] { if let value = body[field] { status[field] = value } }
        }
        return .object(status)
    }

    /// The client's address, then the proxies' `X-Forwarded-For` and `X-Real-Ip` addresses, as
    /// upstream's utilnet.SourceIPs lists them.
    static func sourceIPs(_ request: HTTPRequest) -> [String] {
        var ips: [String] = []
        if let forwarded = request.header("x-forwarded-for") {
            ips += forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let real = request.header("x-real-ip"), !real.isEmpty, !ips.contains(real) { ips.append(real) }
        let remote = host(of: request.remoteAddress)
        if !remote.isEmpty, !ips.contains(remote) { ips.append(remote) }
        return ips
    }

    /// `127.0.0.1:52144` -> `127.0.0.1`, `[::1]:52144` -> `::1`.
    static func host(of address: String) -> String {
        guard let colon = address.lastIndex(of: ":") else { return address }
        let host = address[..<colon]
        return host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : String(host)
    }

    /// Only whole JSON bodies are recorded: streams (watches, streamed lists, logs) are not.
    static func isJSON(_ response: HTTPResponse) -> Bool {
        guard case .bytes = response.body else { return false }
        return response.headers.contains { $0.name.lowercased() == "content-type" && $0.value.hasPrefix("application/json") }
    }

    static func withoutManagedFields(_ object: JSON) -> JSON {
        guard case .object(var fields) = object else { return object }
        if case .object(var metadata)? = fields["metadata"] {
            metadata["managedFields"] = nil
            fields["metadata"] = .object(metadata)
        }
        if case .array(let items)? = fields["items"] { fields["items"] = .array(items.map(withoutManagedFields)) }
        return .object(fields)
    }
}
