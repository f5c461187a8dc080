import APIMachinery
import HTTPServer
import Registry

/// The query of `pods/exec`, `pods/attach` and `pods/log`, converted and validated as upstream's
/// apiserver converts PodExecOptions, PodAttachOptions and PodLogOptions from query parameters.
enum PodConnectOptions {
    /// `?command=a&command=b&container=c&stdin=true&stdout=true&stderr=true&tty=true`; a flag
    /// left out is false (kubectl omits false flags).
    static func exec(_ request: HTTPRequest, requireCommand: Bool) throws(APIError) -> PodExecOptions {
        func flag(_ name: String) -> Bool { request.queryValue(name).map(GoInt.parseBool) ?? false }
        let command = request.query.filter { $0.name == "command" }.map(\.value)
        var options = PodExecOptions(container: request.queryValue("container").flatMap { $0.isEmpty ? nil : $0 },
                                     command: command, stdin: flag("stdin"), stdout: flag("stdout"),
                                     stderr: flag("stderr"), tty: flag("tty"))
        // The kubelet drops stderr under a TTY rather than failing (a terminal has one output).
        if options.tty { options.stderr = false }
        guard options.stdin || options.stdout || options.stderr else {
            throw APIError.badRequest("you must specify at least 1 of stdin, stdout, stderr")
        }
        if requireCommand, command.isEmpty {
            throw APIError.badRequest("you must specify at least one command for the container")
        }
        return options
    }

    /// `?container=&follow=&previous=&sinceSeconds=&sinceTime=&timestamps=&tailLines=&limitBytes=`,
    /// validated as upstream's ValidatePodLogOptions (a 422 Invalid on kind PodLogOptions).
    static func log(_ request: HTTPRequest, pod: String) throws(APIError) -> PodLogOptions {
        func flag(_ name: String) -> Bool { request.queryValue(name).map(GoInt.parseBool) ?? false }
        func int(_ name: String) throws(APIError) -> Int64? {
            guard let text = request.queryValue(name), !text.isEmpty else { return nil }
            guard let value = GoInt.parseInt64(text) else { throw APIError.badRequest(GoInt.syntaxError("ParseInt", text)) }
            return value
        }
        var options = PodLogOptions(container: request.queryValue("container").flatMap { $0.isEmpty ? nil : $0 },
                                    follow: flag("follow"), previous: flag("previous"), timestamps: flag("timestamps"))
        options.sinceSeconds = try int("sinceSeconds")
        options.tailLines = try int("tailLines")
        options.limitBytes = try int("limitBytes")
        if let text = request.queryValue("sinceTime"), !text.isEmpty {
            guard Timestamp.parse(text) != nil else {
                throw APIError.badRequest("parsing time \(FieldError.quote(text)) as \"2006-01-02T15:04:05Z07:00\": cannot parse \(FieldError.quote(text)) as \"2006\"")
            }
            options.sinceTime = text
        }
        var errors: [FieldError] = []
        if let tail = options.tailLines, tail < 0 {
            errors.append(.invalid(FieldPath("tailLines"), JSON.int(tail), "must be greater than or equal to 0"))
        }
        if let limit = options.limitBytes, limit < 1 {
            errors.append(.invalid(FieldPath("limitBytes"), JSON.int(limit), "must be greater than 0"))
        }
        if options.sinceSeconds != nil, options.sinceTime != nil {
            errors.append(.forbidden(FieldPath("sinceSeconds"), "at most one of `sinceTime` or `sinceSeconds` may be specified"))
        } else if let since = options.sinceSeconds, since < 1 {
            errors.append(.invalid(FieldPath("sinceSeconds"), JSON.int(since), "must be greater than 0"))
        }
        guard errors.isEmpty else { throw APIError.invalid(GroupKind(group: "", kind: "PodLogOptions"), pod, errors) }
        return options
    }
}
