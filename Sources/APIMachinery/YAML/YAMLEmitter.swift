import CYaml

/// Writes JSON as go-yaml v2's Marshal does after sigs.k8s.io/yaml.JSONToYAML: libyaml's emitter
/// (go-yaml is its port) with default width 80 and indent 2, unicode allowed, every tag implicit.
/// Events are produced from an explicit stack, so depth never grows the call stack.
enum YAMLEmitter {
    private enum Step {
        case value(JSON)
        case end(isMapping: Bool)
    }

    static func emit(_ json: JSON) -> String {
        var emitter = yaml_emitter_t()
        guard yaml_emitter_initialize(&emitter) == 1 else { return "" }
        defer { yaml_emitter_delete(&emitter) }
        let output = OutputBuffer()
        let context = Unmanaged.passUnretained(output).toOpaque()
        yaml_emitter_set_output(&emitter, { context, buffer, size in
            guard let context, let buffer else { return 0 }
            let out = Unmanaged<OutputBuffer>.fromOpaque(context).takeUnretainedValue()
            out.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, context)
        yaml_emitter_set_unicode(&emitter, 1)

        var event = yaml_event_t()
        func send() { _ = yaml_emitter_emit(&emitter, &event) }
        yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING); send()
        yaml_document_start_event_initialize(&event, nil, nil, nil, 1); send()

        var stack: [Step] = [.value(json)]
        while let step = stack.popLast() {
            switch step {
            case .end(let isMapping):
                if isMapping { yaml_mapping_end_event_initialize(&event) } else { yaml_sequence_end_event_initialize(&event) }
                send()
            case .value(.object(let object)):
                yaml_mapping_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE); send()
                stack.append(.end(isMapping: true))
                for key in object.keys.sorted(by: YAMLKeyOrder.less).reversed() {
                    stack.append(.value(object[key]!))
                    stack.append(.value(.string(key)))
                }
            case .value(.array(let items)):
                yaml_sequence_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE); send()
                stack.append(.end(isMapping: false))
                for item in items.reversed() { stack.append(.value(item)) }
            case .value(let scalar):
                let (text, style) = scalarText(scalar)
                var bytes = Array(text.utf8)
                bytes.withUnsafeMutableBufferPointer { buffer in
                    _ = yaml_scalar_event_initialize(&event, nil, nil, buffer.baseAddress, Int32(buffer.count), 1, 1, style)
                }
                send()
            }
        }
        yaml_document_end_event_initialize(&event, 1); send()
        yaml_stream_end_event_initialize(&event); send()
        _ = yaml_emitter_flush(&emitter)
        return String(decoding: output.bytes, as: UTF8.self)
    }

    /// go-yaml's choice of style; libyaml still falls back to quoting when plain would not read back.
    static func scalarText(_ value: JSON) -> (String, yaml_scalar_style_t) {
        switch value {
        case .null: return ("null", YAML_PLAIN_SCALAR_STYLE)
        case .bool(let b): return (b ? "true" : "false", YAML_PLAIN_SCALAR_STYLE)
        case .int(let i): return (String(i), YAML_PLAIN_SCALAR_STYLE)
        case .double(let d):
            var text = YAMLFloatFormat.shortestG(d, float32: false)
            switch text { case "+Inf": text = ".inf"; case "-Inf": text = "-.inf"; case "NaN": text = ".nan"; default: break }
            return (text, YAML_PLAIN_SCALAR_STYLE)
        case .string(let s):
            if s.contains("\n") { return (s, YAML_LITERAL_SCALAR_STYLE) }
            // Plain only if it reads back as this string: not a bool, number, null, base-60 float or timestamp.
            if case .string = YAMLScalar.resolvePlain(s), !YAMLScalar.isBase60Float(s), !YAMLTimestamp.isTimestamp(s) {
                return (s, YAML_PLAIN_SCALAR_STYLE)
            }
            return (s, YAML_DOUBLE_QUOTED_SCALAR_STYLE)
        case .array, .object: return ("", YAML_PLAIN_SCALAR_STYLE)
        }
    }

    private final class OutputBuffer { var bytes: [UInt8] = [] }
}
