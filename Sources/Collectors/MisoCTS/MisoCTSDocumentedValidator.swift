import CollectionFramework

/// Judges a payload of the documented shape (`data` records + `metadata`) against the spec's nine
/// rules. Checks the structure of every record first, then each record's values in order, then the
/// metadata; reports the first failure.
struct MisoCTSDocumentedValidator {
    typealias Rule = MisoCTSRule

    /// The date the candidate asked for (`date` query parameter), if any.
    var requestedDate: String?

    /// Fields every record must have; nested objects are listed before their members.
    private static let objectFields = [["forecastedLMP"], ["forecastedLMP", "components"], ["transactionVolume"]]
    private static let stringFields = [["timestamp"], ["node"]]
    private static let requiredFields: [[String]] = [
        ["timestamp"], ["interval"], ["node"],
        ["forecastedLMP", "total"], ["forecastedLMP", "components", "energy"],
        ["forecastedLMP", "components", "congestion"], ["forecastedLMP", "components", "losses"],
        ["forecastedLMP", "direction"], ["transactionVolume", "mwh"], ["transactionVolume", "direction"],
    ]
    private static let numericFields: [[String]] = [
        ["forecastedLMP", "total"], ["forecastedLMP", "components", "energy"],
        ["forecastedLMP", "components", "congestion"], ["forecastedLMP", "components", "losses"],
        ["transactionVolume", "mwh"],
    ]

    /// The first record that breaks the structure rules, once one has been seen.
    private(set) var firstStructureFailure: ValidationFailure?
    /// The first record (of those with a sound structure) that breaks a value rule.
    private(set) var firstValueFailure: ValidationFailure?

    /// Judges a fully parsed document.
    func validate(_ root: JSONNode) -> ValidationResult {
        var validator = self
        let records = root["data"]?.array ?? []
        for (index, record) in records.enumerated() { validator.check(record, index: index) }
        return validator.finish(root, recordCount: records.count)
    }

    /// Judges one record of `data` as it streams past (records must come in order). Structure is
    /// checked for every record; values only until the first failure, and only while no record has
    /// failed on structure (structure failures are reported before value failures, as in one pass
    /// over all structures followed by one over all values).
    mutating func check(_ record: JSONNode, index: Int) {
        guard firstStructureFailure == nil else { return }
        if Self.recordPasses(record) { return }
        if let failure = structureFailure(record, index: index) {
            firstStructureFailure = failure
        } else if firstValueFailure == nil {
            firstValueFailure = valueFailure(record, index: index)
        }
    }

    /// The verdict once the whole document is parsed: `root` with the records already seen
    /// through ``check(_:index:)`` (its `data` may be the empty placeholder left by streaming).
    func finish(_ root: JSONNode, recordCount: Int) -> ValidationResult {
        guard let dataNode = root["data"] else {
            return fail(Rule.jsonStructure, "the payload has no `data` array (keys: \(keyList(root)))", field: "data")
        }
        guard dataNode.array != nil else {
            return fail(Rule.jsonStructure, "`data` must be an array, found \(JSONPreview.described(dataNode))", field: "data")
        }
        guard let metadata = root["metadata"] else {
            return fail(Rule.jsonStructure, "the payload has no `metadata` object (keys: \(keyList(root)))", field: "metadata")
        }
        guard metadata.members != nil else {
            return fail(Rule.jsonStructure, "`metadata` must be an object, found \(JSONPreview.described(metadata))", field: "metadata")
        }
        if let firstStructureFailure { return .invalid(firstStructureFailure) }
        if let firstValueFailure { return .invalid(firstValueFailure) }
        if recordCount == 0 {
            return fail(Rule.dataNonEmpty,
                        "the `data` array is empty: the feed published no forecasts for this request; nothing is stored, try again later",
                        field: "data")
        }

        let quality = metadata["dataQuality"]
        guard let qualityText = quality?.string, Rule.dataQualities.contains(qualityText) else {
            return fail(Rule.dataQuality,
                        "metadata.dataQuality must be one of \(Rule.dataQualities.joined(separator: ", ")), found \(JSONPreview.described(quality))",
                        field: "metadata.dataQuality", values: ["dataQuality": JSONPreview.text(quality)])
        }
        if let requestedDate {
            let day = metadata["operatingDay"]
            guard day?.string == requestedDate else {
                return fail(Rule.operatingDay,
                            "metadata.operatingDay is \(JSONPreview.described(day)) but the request asked for \(requestedDate)",
                            field: "metadata.operatingDay",
                            values: ["operatingDay": JSONPreview.text(day), "requested": requestedDate])
            }
        }
        return .valid(ValidationReport(recordCount: recordCount, shape: "documented", labels: ["quality": qualityText]))
    }

    private func structureFailure(_ record: JSONNode, index: Int) -> ValidationFailure? {
        guard record.members != nil else {
            return ValidationFailure(rule: Rule.jsonStructure, reason: "each record must be an object, found \(JSONPreview.described(record))",
                                     recordIndex: index)
        }
        for path in Self.objectFields {
            if let node = record.value(at: path), node.members == nil {
                return ValidationFailure(rule: Rule.jsonStructure, reason: "\(name(path)) must be an object, found \(JSONPreview.described(node))",
                                         recordIndex: index, field: name(path))
            }
        }
        for path in Self.requiredFields where record.value(at: path) == nil {
            return ValidationFailure(rule: Rule.jsonStructure, reason: "the record has no \(name(path)) field", recordIndex: index, field: name(path))
        }
        for path in Self.stringFields {
            let node = record.value(at: path)
            if node?.string == nil {
                return ValidationFailure(rule: Rule.jsonStructure, reason: "\(name(path)) must be a string, found \(JSONPreview.described(node))",
                                         recordIndex: index, field: name(path))
            }
        }
        return nil
    }

    private func valueFailure(_ record: JSONNode, index: Int) -> ValidationFailure? {
        for path in Self.numericFields {
            let node = record.value(at: path)
            if node?.number == nil {
                return ValidationFailure(rule: Rule.numericValues,
                                         reason: "\(name(path)) must be a JSON number, found \(JSONPreview.described(node))",
                                         recordIndex: index, field: name(path), values: ["value": JSONPreview.text(node)])
            }
        }
        let lmp = record["forecastedLMP"]
        let total = lmp?["total"]?.number ?? 0
        let energy = lmp?["components"]?["energy"]?.number ?? 0
        let congestion = lmp?["components"]?["congestion"]?.number ?? 0
        let losses = lmp?["components"]?["losses"]?.number ?? 0
        let sum = energy + congestion + losses
        if !(abs(total - sum) <= Rule.lmpTolerance) {
            return ValidationFailure(rule: Rule.lmpArithmetic,
                                     reason: "forecastedLMP.total \(total) differs from energy + congestion + losses = \(sum) by more than \(Rule.lmpTolerance)",
                                     recordIndex: index, field: "forecastedLMP.total",
                                     values: ["total": String(total), "energy": String(energy), "congestion": String(congestion),
                                              "losses": String(losses), "sum": String(sum)])
        }
        let interval = record["interval"]
        if !(interval?.string.map(MisoCTSCollector.isValidInterval) ?? false) {
            return ValidationFailure(rule: Rule.intervalFormat,
                                     reason: "interval must be HH:MM with hour 00-23 and minutes on the 5-minute grid, found \(JSONPreview.described(interval))",
                                     recordIndex: index, field: "interval", values: ["interval": JSONPreview.text(interval)])
        }
        if let failure = enumFailure(lmp?["direction"], allowed: Rule.lmpDirections, rule: Rule.lmpDirection,
                                     field: "forecastedLMP.direction", index: index) { return failure }
        if let failure = enumFailure(record["transactionVolume"]?["direction"], allowed: Rule.transactionDirections,
                                     rule: Rule.transactionDirection, field: "transactionVolume.direction", index: index) { return failure }
        let mwh = record["transactionVolume"]?["mwh"]?.number ?? 0
        if mwh < 0 {
            return ValidationFailure(rule: Rule.volumeNonNegative, reason: "transactionVolume.mwh must not be negative, found \(mwh)",
                                     recordIndex: index, field: "transactionVolume.mwh", values: ["mwh": String(mwh)])
        }
        return nil
    }

    private func enumFailure(_ node: JSONNode?, allowed: [String], rule: String, field: String, index: Int) -> ValidationFailure? {
        if let text = node?.string, allowed.contains(text) { return nil }
        return ValidationFailure(rule: rule, reason: "\(field) must be one of \(allowed.joined(separator: ", ")), found \(JSONPreview.described(node))",
                                 recordIndex: index, field: field, values: ["direction": JSONPreview.text(node)])
    }

    private func name(_ path: [String]) -> String { path.joined(separator: ".") }

    private func keyList(_ node: JSONNode) -> String {
        let keys = node.keys ?? []
        return keys.isEmpty ? "none" : keys.prefix(10).joined(separator: ", ")
    }

    private func fail(_ rule: String, _ reason: String, field: String? = nil, values: [String: String] = [:]) -> ValidationResult {
        .invalid(ValidationFailure(rule: rule, reason: reason, field: field, values: values))
    }
}
