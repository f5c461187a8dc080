import CYaml

/// go-yaml's error texts, as YAMLToJSON returns them and the API server puts them in a 400 Status.
enum YAMLErrors {
    /// `yaml: <message>` as a BadRequest.
    static func message(_ text: String, prefixed: Bool = true) -> APIError {
        APIError.badRequest(prefixed ? "yaml: " + text : text)
    }

    /// A libyaml failure worded as go-yaml's parser.fail(): the problem's line (scanner errors count
    /// lines from 1, parser errors from 0, an upstream quirk kept here), else the context's line.
    static func syntax(_ parser: yaml_parser_t) -> APIError {
        var line = 0
        if parser.problem_mark.line != 0 {
            line = Int(parser.problem_mark.line)
            if parser.error == YAML_SCANNER_ERROR { line += 1 }
        } else if parser.context_mark.line != 0 {
            line = Int(parser.context_mark.line)
        }
        var problem = parser.problem.map { String(cString: $0) } ?? "unknown problem parsing YAML content"
        if problem.hasPrefix("Maximum nesting level reached") {
            // libyaml's own limit (raised to just past go-yaml's) fires while scanning ahead: word it as go-yaml.
            problem = "exceeded max depth of \(YAMLCodec.maxDepth)"
        }
        return message((line != 0 ? "line \(line): " : "") + problem)
    }
}
