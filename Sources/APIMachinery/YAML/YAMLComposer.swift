import CYaml
import Foundation

/// Builds JSON from libyaml's event stream without recursion: an explicit frame stack bounds nesting
/// at `YAMLCodec.maxDepth`, so a 100,000-deep flow sequence is a 400, not a stack overflow.
/// Aliases are expanded with go-yaml's excessive-aliasing check (billion laughs).
struct YAMLComposer {
    /// An open sequence or mapping. Frames are changed in place (`frames[top].items.append`), never
    /// popped and pushed back: a popped frame's array is shared with the copy bound by a pattern, so
    /// every append would copy the whole collection and a long list would cost quadratic time.
    private struct Frame {
        let isSequence: Bool
        var items: [JSON] = []
        var object: JSONObject = [:]
        var kinds: [String: String] = [:]
        var pendingKey: YAMLKey?
        let line: Int
        let anchor: String?
        var nodes = 1

        /// A mapping waiting for its next key (the next scalar or alias is a key, not a value).
        var expectsKey: Bool { !isSequence && pendingKey == nil }
        var value: JSON { isSequence ? .array(items) : .object(object) }
    }

    private var frames: [Frame] = []
    private var anchors: [String: (value: JSON, nodes: Int)] = [:]
    private var decodeCount = 0
    private var aliasCount = 0
    private var root: JSON?
    private var duplicates: [String] = []
    private var strictErrors: [String] = []

    /// libyaml's own nesting limit (a process-wide setting, 1,000 by default) is raised once past
    /// go-yaml's, so the depth check below is the one that answers.
    private static let nestingLimitRaised: Void = { yaml_set_max_nest_level(Int32(YAMLCodec.maxDepth + 1)) }()

    static func compose(_ bytes: [UInt8], firstOnly: Bool) throws(APIError) -> [YAMLCodec.Result] {
        _ = nestingLimitRaised
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw APIError.internalError("yaml: cannot allocate parser") }
        defer { yaml_parser_delete(&parser) }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(APIError) -> [YAMLCodec.Result] in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var results: [YAMLCodec.Result] = []
            var composer = YAMLComposer()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { throw YAMLErrors.syntax(parser) }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return results
                case YAML_DOCUMENT_START_EVENT:
                    composer = YAMLComposer()
                case YAML_DOCUMENT_END_EVENT:
                    results.append(YAMLCodec.Result(value: composer.root ?? .null, duplicateFields: composer.duplicates,
                                                    strictErrors: composer.strictErrors))
                    if firstOnly { return results }
                default:
                    try composer.handle(event)
                }
            }
        }
    }

    private mutating func handle(_ event: yaml_event_t) throws(APIError) {
        let line = Int(event.start_mark.line) + 1
        switch event.type {
        case YAML_SCALAR_EVENT:
            decodeCount += 1
            let s = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: s.value, count: Int(s.length)), as: UTF8.self)
            let tag = s.tag.map { String(cString: $0) }
            let plain = s.style == YAML_PLAIN_SCALAR_STYLE
            let scalar = try YAMLScalarDecoding.resolve(text, tag: tag, plain: plain, line: line)
            if frames.last?.expectsKey == true {
                frames[frames.count - 1].pendingKey = try YAMLKey(scalar: scalar, isMerge: plain && tag == nil && text == "<<", line: line)
                return
            }
            let value = try YAMLScalarDecoding.json(scalar)
            if let anchor = s.anchor { anchors[String(cString: anchor)] = (value, 1) }
            try attach(value, nodes: 1, line: line)
        case YAML_ALIAS_EVENT:
            let name = String(cString: event.data.alias.anchor)
            guard let anchored = anchors[name] else { throw YAMLErrors.message("unknown anchor '\(name)' referenced") }
            decodeCount += anchored.nodes
            aliasCount += anchored.nodes
            if aliasCount > 100, decodeCount > 1000, Double(aliasCount) / Double(decodeCount) > Self.allowedAliasRatio(decodeCount) {
                throw YAMLErrors.message("document contains excessive aliasing")
            }
            if frames.last?.expectsKey == true {
                frames[frames.count - 1].pendingKey = try YAMLKey(alias: anchored.value, line: line)
                return
            }
            try attach(anchored.value, nodes: anchored.nodes, line: line)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            decodeCount += 1
            guard frames.count < YAMLCodec.maxDepth else {
                throw YAMLErrors.message((line > 1 ? "line \(line): " : "") + "exceeded max depth of \(YAMLCodec.maxDepth)")
            }
            if frames.last?.expectsKey == true {
                throw YAMLErrors.message("line \(line): invalid map key: a mapping or sequence cannot be a key")
            }
            let isSequence = event.type == YAML_SEQUENCE_START_EVENT
            let anchorPointer = isSequence ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
            let anchor = anchorPointer.map { String(cString: $0) }
            frames.append(Frame(isSequence: isSequence, line: line, anchor: anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = frames.popLast() else { return }
            let value = frame.value
            if let anchor = frame.anchor { anchors[anchor] = (value, frame.nodes) }
            try attach(value, nodes: frame.nodes, line: frame.line)
        default:
            break
        }
    }

    /// Adds a completed value to the enclosing collection, or makes it the document's root.
    private mutating func attach(_ value: JSON, nodes: Int, line: Int) throws(APIError) {
        guard !frames.isEmpty else { root = value; return }
        let top = frames.count - 1
        if frames[top].isSequence {
            frames[top].items.append(value)
            frames[top].nodes += nodes
            return
        }
        guard let key = frames[top].pendingKey else { return }
        frames[top].pendingKey = nil
        frames[top].nodes += nodes + 1
        if key.isMerge {
            try Self.merge(value, into: &frames[top].object)
            return
        }
        if let kind = frames[top].kinds[key.string], kind == key.kind {
            duplicates.append(fieldPath(adding: key.string))
            strictErrors.append("line \(line): key \(key.goSyntax) already set in map")
        }
        frames[top].kinds[key.string] = key.kind
        frames[top].object[key.string] = value
    }

    /// go-yaml's `<<` merge: a mapping, or a sequence of mappings where earlier ones take precedence.
    private static func merge(_ value: JSON, into object: inout JSONObject) throws(APIError) {
        let failure = YAMLErrors.message("map merge requires map or sequence of maps as the value")
        switch value {
        case .object(let source):
            for (k, v) in source { object[k] = v }
        case .array(let list):
            for item in list.reversed() {
                guard case .object(let source) = item else { throw failure }
                for (k, v) in source { object[k] = v }
            }
        default:
            throw failure
        }
    }

    /// The field path of a member of the innermost mapping, rendered as the JSON parser renders it.
    private func fieldPath(adding key: String) -> String {
        var out = ""
        for frame in frames {
            if frame.isSequence {
                out += "[\(frame.items.count)]"
            } else if let k = frame.pendingKey, !k.isMerge {
                out += out.isEmpty ? k.string : ".\(k.string)"
            }
        }
        return out.isEmpty ? key : out + "." + key
    }

    /// go-yaml's allowedAliasRatio: generous for small documents, strict for large ones.
    static func allowedAliasRatio(_ decodeCount: Int) -> Double {
        if decodeCount <= 400_000 { return 0.99 }
        if decodeCount >= 4_000_000 { return 0.10 }
        return 0.99 - 0.89 * (Double(decodeCount - 400_000) / 3_600_000)
    }
}
