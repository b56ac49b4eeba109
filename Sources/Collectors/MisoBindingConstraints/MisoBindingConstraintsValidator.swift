import CollectionFramework
import Foundation

/// Judges a real-time binding-constraints payload:
/// `{"RefId": "...", "Constraint": [{"Name", "Period", "Price", "OVERRIDE", "CURVETYPE", "BP1", "PC1", ...}]}`.
/// Parses strictly, then checks the rules of ``MisoBindingConstraintsRule`` in order and reports the
/// first failure. The "nothing binding" form (one element, `Name` "None", every field "None" or "0")
/// is valid with a record count of 0. Never traps, whatever the bytes.
struct MisoBindingConstraintsValidator {
    typealias Rule = MisoBindingConstraintsRule

    func validate(_ content: Data) -> ValidationResult {
        let root: JSONNode
        do {
            root = try JSONParser.parse(content)
        } catch let error as JSONParseError {
            return fail(Rule.jsonStructure, "the payload is not valid JSON: \(error)", values: ["offset": String(error.offset)])
        } catch {
            return fail(Rule.jsonStructure, "the payload is not valid JSON: \(error)")
        }
        guard root.members != nil else {
            return fail(Rule.jsonStructure, "the payload must be a JSON object, found \(JSONPreview.described(root))")
        }
        let refNode = root["RefId"]
        guard let refText = refNode?.string, let refId = MisoTimeText.parseRefId(refText) else {
            return fail(Rule.refId, "RefId must read like \"27-Jul-2026 - Interval 08:10 EST\", found \(JSONPreview.described(refNode))",
                        field: "RefId", values: ["RefId": JSONPreview.text(refNode)])
        }
        guard let constraints = root["Constraint"]?.array else {
            return fail(Rule.jsonStructure, "Constraint must be an array, found \(JSONPreview.described(root["Constraint"]))", field: "Constraint")
        }
        guard !constraints.isEmpty else {
            return fail(Rule.nonEmpty, "the Constraint array is empty; MISO sends one element of \"None\"/\"0\" when nothing binds",
                        field: "Constraint")
        }
        for (index, element) in constraints.enumerated() {
            if let failure = structureFailure(element, index: index) { return .invalid(failure) }
        }
        if let failure = noneFormFailure(constraints) { return .invalid(failure) }
        if constraints.count == 1, constraints[0]["Name"]?.string == "None" {
            return .valid(ValidationReport(recordCount: 0, shape: "nothing_binding"))
        }
        for (index, element) in constraints.enumerated() {
            if let failure = valueFailure(element, index: index, day: refId.date, refText: refText) { return .invalid(failure) }
        }
        return .valid(ValidationReport(recordCount: constraints.count, shape: "binding"))
    }

    private func structureFailure(_ element: JSONNode, index: Int) -> ValidationFailure? {
        guard element.members != nil else {
            return ValidationFailure(rule: Rule.jsonStructure, reason: "each Constraint entry must be an object, found \(JSONPreview.described(element))",
                                     recordIndex: index)
        }
        guard let name = element["Name"]?.string, !name.isEmpty else {
            return ValidationFailure(rule: Rule.jsonStructure,
                                     reason: "each constraint needs a non-empty string Name, found \(JSONPreview.described(element["Name"]))",
                                     recordIndex: index, field: "Name")
        }
        if name == "None" { return nil }   // the nothing-binding form: judged by noneFormFailure
        for field in ["Period", "Price"] where element[field] == nil {
            return ValidationFailure(rule: Rule.jsonStructure, reason: "constraint \(String(reflecting: name)) has no \(field) field",
                                     recordIndex: index, field: field)
        }
        return nil
    }

    /// An element named "None" must be alone and hold only "None"/"0".
    private func noneFormFailure(_ constraints: [JSONNode]) -> ValidationFailure? {
        for (index, element) in constraints.enumerated() where element["Name"]?.string == "None" {
            guard constraints.count == 1 else {
                return ValidationFailure(rule: Rule.noneForm,
                                         reason: "a constraint named \"None\" (the nothing-binding form) must be the only element, but Constraint has \(constraints.count)",
                                         recordIndex: index, field: "Name", values: ["count": String(constraints.count)])
            }
            for member in element.members ?? [] where !(member.value.string.map(Rule.nothingBindingValues.contains) ?? false) {
                return ValidationFailure(rule: Rule.noneForm,
                                         reason: "in the nothing-binding form every field must be \"None\" or \"0\", but \(member.key) is \(JSONPreview.described(member.value))",
                                         recordIndex: index, field: member.key, values: [member.key: JSONPreview.text(member.value)])
            }
        }
        return nil
    }

    private func valueFailure(_ element: JSONNode, index: Int, day: CalendarDate, refText: String) -> ValidationFailure? {
        let periodNode = element["Period"]
        guard let period = periodNode?.string.flatMap(MisoTimeText.parseISOLocalTime) else {
            return ValidationFailure(rule: Rule.period,
                                     reason: "Period must be an ISO local time such as \"2026-07-27T08:10:00\", found \(JSONPreview.described(periodNode))",
                                     recordIndex: index, field: "Period", values: ["Period": JSONPreview.text(periodNode)])
        }
        guard period.date == day else {
            let text = periodNode?.string ?? ""
            return ValidationFailure(rule: Rule.period, reason: "Period \(text) is not on \(day), the day RefId \(String(reflecting: refText)) names",
                                     recordIndex: index, field: "Period", values: ["Period": text, "RefId": refText])
        }
        let price = element["Price"]
        if price?.string.flatMap(MisoTimeText.decimal) == nil {
            return ValidationFailure(rule: Rule.priceNumeric,
                                     reason: "Price must be a finite decimal number in a string such as \"-329.63\", found \(JSONPreview.described(price))",
                                     recordIndex: index, field: "Price", values: ["Price": JSONPreview.text(price)])
        }
        for member in element.members ?? [] where Self.isBreakpointField(member.key) {
            if member.value.string.flatMap(MisoTimeText.decimal) == nil {
                return ValidationFailure(rule: Rule.breakpointNumeric,
                                         reason: "breakpoint field \(member.key) must be a finite decimal number in a string such as \"100\", found \(JSONPreview.described(member.value))",
                                         recordIndex: index, field: member.key, values: [member.key: JSONPreview.text(member.value)])
            }
        }
        return nil
    }

    /// `BP1`, `PC12`: `BP` or `PC` followed by one or more ASCII digits.
    static func isBreakpointField(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard bytes.count > 2, key.hasPrefix("BP") || key.hasPrefix("PC") else { return false }
        return bytes.dropFirst(2).allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private func fail(_ rule: String, _ reason: String, field: String? = nil, values: [String: String] = [:]) -> ValidationResult {
        .invalid(ValidationFailure(rule: rule, reason: reason, field: field, values: values))
    }
}
