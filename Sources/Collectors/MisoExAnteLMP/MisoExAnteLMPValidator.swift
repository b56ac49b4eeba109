import CollectionFramework
import Foundation

/// Judges an ex-ante LMP payload:
/// `{"LMPData": {"RefId": "...", "ExAnteLMP": {"HourAndMin": "08:15", "Hub": [{"name", "LMP", "loss", "congestion"}]}}}`.
/// Parses strictly, then checks the rules of ``MisoExAnteLMPRule`` in order and reports the first
/// failure. Never traps, whatever the bytes.
struct MisoExAnteLMPValidator {
    typealias Rule = MisoExAnteLMPRule

    static let priceFields = ["LMP", "loss", "congestion"]

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
        guard let lmpData = root["LMPData"], lmpData.members != nil else {
            return fail(Rule.jsonStructure, "LMPData must be an object, found \(JSONPreview.described(root["LMPData"])) (keys: \(keyList(root)))",
                        field: "LMPData")
        }
        let refNode = lmpData["RefId"]
        guard let refText = refNode?.string, let refId = MisoTimeText.parseRefId(refText) else {
            return fail(Rule.refId, "LMPData.RefId must read like \"27-Jul-2026 - Interval 08:15 EST\", found \(JSONPreview.described(refNode))",
                        field: "LMPData.RefId", values: ["RefId": JSONPreview.text(refNode)])
        }
        guard let exAnte = lmpData["ExAnteLMP"], exAnte.members != nil else {
            return fail(Rule.jsonStructure, "LMPData.ExAnteLMP must be an object, found \(JSONPreview.described(lmpData["ExAnteLMP"]))",
                        field: "LMPData.ExAnteLMP")
        }
        let hourNode = exAnte["HourAndMin"]
        guard let hour = hourNode?.string, MisoTimeText.isHourMinute(hour) else {
            return fail(Rule.hourFormat, "HourAndMin must be HH:MM with hour 00-23 and minute 00-59, found \(JSONPreview.described(hourNode))",
                        field: "LMPData.ExAnteLMP.HourAndMin", values: ["HourAndMin": JSONPreview.text(hourNode)])
        }
        guard hour == refId.interval else {
            return fail(Rule.hourMatchesRefId, "HourAndMin \(hour) is not the interval \(refId.interval) that RefId \(String(reflecting: refText)) names",
                        field: "LMPData.ExAnteLMP.HourAndMin", values: ["HourAndMin": hour, "RefId": refText])
        }
        guard let hubNode = exAnte["Hub"], let hubs = hubNode.array else {
            return fail(Rule.jsonStructure, "LMPData.ExAnteLMP.Hub must be an array, found \(JSONPreview.described(exAnte["Hub"]))",
                        field: "LMPData.ExAnteLMP.Hub")
        }
        guard !hubs.isEmpty else {
            return fail(Rule.hubsPresent, "the Hub array is empty: the feed published no hub prices", field: "LMPData.ExAnteLMP.Hub")
        }
        for (index, hub) in hubs.enumerated() {
            if let failure = structureFailure(hub, index: index) { return .invalid(failure) }
        }
        var firstIndex: [String: Int] = [:]
        for (index, hub) in hubs.enumerated() {
            let name = hub["name"]?.string ?? ""
            if let earlier = firstIndex[name] {
                return .invalid(ValidationFailure(rule: Rule.hubNamesUnique,
                                                  reason: "hub \(String(reflecting: name)) appears twice, as hubs \(earlier) and \(index)",
                                                  recordIndex: index, field: "name", values: ["name": name, "first": String(earlier)]))
            }
            firstIndex[name] = index
        }
        for (index, hub) in hubs.enumerated() {
            for field in Self.priceFields {
                let node = hub[field]
                if node?.string.flatMap(MisoTimeText.decimal) == nil {
                    return .invalid(ValidationFailure(
                        rule: Rule.priceNumeric,
                        reason: "\(field) of hub \(String(reflecting: hub["name"]?.string ?? "")) must be a finite decimal number in a string such as \"22.12\", found \(JSONPreview.described(node))",
                        recordIndex: index, field: field, values: [field: JSONPreview.text(node)]))
                }
            }
        }
        return .valid(ValidationReport(recordCount: hubs.count, shape: "live"))
    }

    private func structureFailure(_ hub: JSONNode, index: Int) -> ValidationFailure? {
        guard hub.members != nil else {
            return ValidationFailure(rule: Rule.jsonStructure, reason: "each Hub entry must be an object, found \(JSONPreview.described(hub))",
                                     recordIndex: index)
        }
        guard let name = hub["name"]?.string, !name.isEmpty else {
            return ValidationFailure(rule: Rule.jsonStructure,
                                     reason: "each hub needs a non-empty string name, found \(JSONPreview.described(hub["name"]))",
                                     recordIndex: index, field: "name")
        }
        for field in Self.priceFields where hub[field] == nil {
            return ValidationFailure(rule: Rule.jsonStructure, reason: "hub \(String(reflecting: name)) has no \(field) field",
                                     recordIndex: index, field: field)
        }
        return nil
    }

    private func keyList(_ node: JSONNode) -> String {
        let keys = (node.keys ?? []).prefix(10)
        return keys.isEmpty ? "none" : keys.joined(separator: ", ")
    }

    private func fail(_ rule: String, _ reason: String, field: String? = nil, values: [String: String] = [:]) -> ValidationResult {
        .invalid(ValidationFailure(rule: rule, reason: reason, field: field, values: values))
    }
}
