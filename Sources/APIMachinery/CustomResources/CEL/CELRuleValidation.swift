import Foundation

/// Runs the compiled `x-kubernetes-validations` rules of every node over a custom object, as upstream's
/// apiserver/schema/cel Validator does: a rule sees the value at its node as `self`; a transition rule
/// (one reading `oldSelf`) runs only on an update where the old value can be correlated (object
/// members by name, `map` list items by their keys, never atomic or set list items), unless it sets
/// optionalOldSelf. As with CRDValidationRatcheting, a non-transition rule on a value that did not
/// change on update is not re-checked.
struct CELRuleValidation {
    let programs: [ObjectIdentifier: [CompiledRule]]

    struct CompiledRule: Sendable {
        let rule: JSONSchemaProps.ValidationRule
        let program: CELProgram
        let message: CELProgram?
    }

    func validate(_ value: JSON, old: JSON?, _ s: JSONSchemaProps, path: FieldPath?) -> [FieldError] {
        var errs: [FieldError] = []
        if let rules = programs[ObjectIdentifier(s)] {
            let typed = CELTyping.typed(value, s)
            let typedOld = old.map { CELTyping.typed($0, s) }
            for compiled in rules {
                errs += run(compiled, typed, old: typedOld, s, path: path)
            }
        }
        switch value {
        case .object(let members):
            for (key, member) in members {
                if let property = s.properties[key] {
                    errs += validate(member, old: old?[key], property, path: child(path, key))
                } else if let additional = s.additionalProperties?.schema {
                    let correlated = s.xMapType == "atomic" ? nil : old?[key]
                    errs += validate(member, old: correlated, additional, path: keyed(path, key))
                }
            }
        case .array(let items):
            guard let itemSchema = s.items else { break }
            let oldItems = s.xListType == "map" ? old?.arrayValue : nil
            for (i, item) in items.enumerated() {
                let correlated = oldItems.flatMap { Self.matchingItem(item, in: $0, keys: s.xListMapKeys) }
                errs += validate(item, old: correlated, itemSchema, path: (path ?? FieldPath("")).index(i))
            }
        default: break
        }
        return errs
    }

    private func child(_ path: FieldPath?, _ name: String) -> FieldPath { path?.child(name) ?? FieldPath(name) }
    private func keyed(_ path: FieldPath?, _ name: String) -> FieldPath { (path ?? FieldPath("")).key(name) }

    private static func matchingItem(_ item: JSON, in old: [JSON], keys: [String]) -> JSON? {
        old.first { candidate in keys.allSatisfy { k in SemanticJSON.equal(candidate[k] ?? .null, item[k] ?? .null) } }
    }

    private func run(_ compiled: CompiledRule, _ value: JSON, old: JSON?, _ s: JSONSchemaProps, path: FieldPath?) -> [FieldError] {
        let rule = compiled.rule
        if compiled.program.usesOldSelf, old == nil, rule.optionalOldSelf != true { return [] }
        if !compiled.program.usesOldSelf, let old, SemanticJSON.equal(old, value) { return [] }
        let errorPath = path ?? FieldPath("<nil>")
        let result: JSON
        do {
            result = try compiled.program.evaluate(self: value, oldSelf: compiled.program.usesOldSelf ? old : nil)
        } catch {
            return [.invalid(errorPath, s.type, "\(error.message) evaluating rule: \(Self.ruleErrorString(rule))")]
        }
        guard result != .bool(true) else { return [] }
        var detail = Self.ruleMessageOrDefault(rule)
        if let message = compiled.message,
           case .string(let text)? = try? message.evaluate(self: value, oldSelf: message.usesOldSelf ? old : nil),
           !text.trimmingCharacters(in: .whitespaces).isEmpty, !text.contains("\n") {
            detail = text
        }
        let target = rule.fieldPath.map { CELFieldPath.append($0, to: path) } ?? errorPath
        switch rule.reason {
        case "FieldValueForbidden"?: return [.forbidden(target, detail)]
        case "FieldValueRequired"?: return [.required(target, detail)]
        case "FieldValueDuplicate"?: return [FieldError(.duplicate, target, value: FieldError.quote(s.type))]
        default: return [.invalid(target, s.type, detail)]
        }
    }

    static func ruleErrorString(_ rule: JSONSchemaProps.ValidationRule) -> String {
        if let m = rule.message, !m.isEmpty { return m.trimmingCharacters(in: .whitespaces) }
        return rule.rule.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func ruleMessageOrDefault(_ rule: JSONSchemaProps.ValidationRule) -> String {
        if let m = rule.message, !m.isEmpty { return m.trimmingCharacters(in: .whitespaces) }
        return "failed rule: \(ruleErrorString(rule))"
    }
}
