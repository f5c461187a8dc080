import Foundation

extension CustomResourceSchemaValidation {
    /// The `x-kubernetes-validations` entries of one node: the static checks on rule, message,
    /// messageExpression, reason and fieldPath, then compilation. A rule using a construct Kubelite's
    /// CEL subset does not implement fails to compile here, so it is refused with the CRD, never skipped.
    mutating func validateRules(_ schema: JSONSchemaProps, _ path: FieldPath, _ context: Context, isRoot: Bool, schemaErrorsBefore: Int) {
        guard !schema.xValidations.isEmpty else { return }
        let rulesPath = path.child("x-kubernetes-validations")
        for (i, rule) in schema.xValidations.enumerated() {
            let p = rulesPath.index(i)
            let trimmedRule = rule.rule.trimmingCharacters(in: .whitespacesAndNewlines)
            let message = rule.message ?? ""
            let trimmedMessage = message.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmedRule.isEmpty {
                schemaErrors.append(.required(p.child("rule"), "rule is not specified"))
            } else if !message.isEmpty, trimmedMessage.isEmpty {
                schemaErrors.append(.invalid(p.child("message"), message, "message must be non-empty if specified"))
            } else if Self.hasNewlines(trimmedMessage) {
                schemaErrors.append(.invalid(p.child("message"), message, "message must not contain line breaks"))
            } else if Self.hasNewlines(trimmedRule), trimmedMessage.isEmpty {
                schemaErrors.append(.required(p.child("message"), "message must be specified if rule contains line breaks"))
            }
            if let expression = rule.messageExpression, !expression.isEmpty,
               expression.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                schemaErrors.append(.required(p.child("messageExpression"), "messageExpression must be non-empty if specified"))
            }
            if let reason = rule.reason, !Self.supportedValidationReasons.contains(reason) {
                schemaErrors.append(.notSupported(p.child("reason"), .string(reason), Self.supportedValidationReasons))
            }
            if let fieldPath = rule.fieldPath {
                if !fieldPath.isEmpty, fieldPath.trimmingCharacters(in: .whitespaces).isEmpty {
                    schemaErrors.append(.invalid(p.child("fieldPath"), fieldPath, "fieldPath must be non-empty if specified"))
                }
                if Self.hasNewlines(fieldPath) {
                    schemaErrors.append(.invalid(p.child("fieldPath"), fieldPath, "fieldPath must not contain line breaks"))
                }
                if !fieldPath.isEmpty, !CELFieldPath.isValid(fieldPath, in: schema) {
                    schemaErrors.append(.invalid(p.child("fieldPath"), fieldPath, "fieldPath must be a valid path"))
                }
            }
        }
        // Rules are compiled only when the schema around them is sound, as upstream.
        guard schemaErrors.count == schemaErrorsBefore, context.compileRules else { return }
        var compiledRules: [CELRuleValidation.CompiledRule] = []
        for (i, rule) in schema.xValidations.enumerated() {
            let p = rulesPath.index(i)
            let shown = Self.goValidationRule(rule)
            let program: CELProgram
            do {
                program = try CELProgram.compile(rule.rule, schema: schema, isResourceRoot: isRoot)
            } catch {
                let detail = error.message.hasPrefix("cel expression") ? error.message : "compilation failed: \(error)"
                celErrors.append(FieldError(.invalid, p.child("rule"), value: shown, detail))
                continue
            }
            var messageProgram: CELProgram?
            if let expression = rule.messageExpression, !expression.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                do {
                    messageProgram = try CELProgram.compile(expression, schema: schema, isResourceRoot: isRoot, expecting: "string")
                } catch {
                    let detail = error.message.hasPrefix("cel expression") ? "messageExpression must evaluate to a string" : "messageExpression compilation failed: \(error)"
                    celErrors.append(FieldError(.invalid, p.child("messageExpression"), value: shown, detail))
                }
            }
            if rule.optionalOldSelf == true {
                // optionalOldSelf makes oldSelf a CEL optional, whose functions the subset does not have.
                celErrors.append(.invalid(p.child("optionalOldSelf"), .bool(true), "optionalOldSelf is not supported by Kubelite's CEL subset"))
            }
            if program.usesOldSelf {
                if let uncorrelatable = context.uncorrelatablePath {
                    celErrors.append(.invalid(p.child("rule"), rule.rule, "oldSelf cannot be used on the uncorrelatable portion of the schema within \(uncorrelatable)"))
                }
            } else if let optional = rule.optionalOldSelf {
                celErrors.append(.invalid(p.child("optionalOldSelf"), .bool(optional), "may not be set if oldSelf is not used in rule"))
            }
            compiledRules.append(.init(rule: rule, program: program, message: messageProgram))
        }
        compiled[ObjectIdentifier(schema)] = compiledRules
    }

    static func hasNewlines(_ s: String) -> Bool { s.contains("\n") || s.contains("\r") }

    /// Go's `%#v` of apiextensions.ValidationRule, which upstream prints as the rule's bad value.
    static func goValidationRule(_ rule: JSONSchemaProps.ValidationRule) -> String {
        let reason = rule.reason.map { "(*apiextensions.FieldValueErrorReason)(\(FieldError.quote($0)))" } ?? "(*apiextensions.FieldValueErrorReason)(nil)"
        let optional = rule.optionalOldSelf.map { "(*bool)(\($0))" } ?? "(*bool)(nil)"
        return "apiextensions.ValidationRule{Rule:\(FieldError.quote(rule.rule)), Message:\(FieldError.quote(rule.message ?? "")), "
            + "MessageExpression:\(FieldError.quote(rule.messageExpression ?? "")), Reason:\(reason), "
            + "FieldPath:\(FieldError.quote(rule.fieldPath ?? "")), OptionalOldSelf:\(optional)}"
    }
}
