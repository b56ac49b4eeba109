import CollectionFramework

/// Judges a payload of the live shape MISO actually serves:
/// `{"RefId": "27-Jul-2026 - Interval 08:00 EST", "Interval": [{"CASEAPPROVALDATE", "SOLUTIONTIME", "PJMFORECASTEDLMP"}]}`
/// with times as `yyyy-MM-dd h:mm:ss AM/PM` strings and prices as numbers in strings.
struct MisoCTSLiveValidator {
    typealias Rule = MisoCTSRule

    /// The date the candidate asked for, if any.
    var requestedDate: String?
    /// The filters the candidate asked for (`interval`, `node`), if any.
    var filters: [String: String] = [:]

    private static let fields = ["CASEAPPROVALDATE", "SOLUTIONTIME", "PJMFORECASTEDLMP"]

    func validate(_ root: JSONNode) -> ValidationResult {
        let refNode = root["RefId"]
        guard let refText = refNode?.string, MisoTimeText.parseRefId(refText) != nil else {
            return fail(ValidationFailure(
                rule: Rule.liveRefId,
                reason: "RefId must read like \"27-Jul-2026 - Interval 08:00 EST\", found \(JSONPreview.described(refNode))",
                field: "RefId", values: ["RefId": JSONPreview.text(refNode)]))
        }
        guard let intervalNode = root["Interval"] else {
            return fail(ValidationFailure(rule: Rule.jsonStructure, reason: "the live payload has no `Interval` array", field: "Interval"))
        }
        guard let records = intervalNode.array else {
            return fail(ValidationFailure(rule: Rule.jsonStructure,
                                          reason: "`Interval` must be an array, found \(JSONPreview.described(intervalNode))", field: "Interval"))
        }
        guard !records.isEmpty else {
            return fail(ValidationFailure(rule: Rule.liveNonEmpty, reason: "the `Interval` array is empty: the feed published no forecasts",
                                          field: "Interval"))
        }
        for (index, record) in records.enumerated() {
            if let failure = recordFailure(record, index: index) { return fail(failure) }
        }
        let asked = (requestedDate.map { ["date": $0] } ?? [:]).merging(filters) { date, _ in date }
        if !asked.isEmpty {
            let listed = asked.keys.sorted().map { "\($0)=\(asked[$0]!)" }.joined(separator: ", ")
            return fail(ValidationFailure(
                rule: Rule.liveFiltersIgnored,
                reason: "the request asked for \(listed) but the answer is the live feed's current interval (RefId \(refText)): the live feed ignores query parameters, so this payload would be stored under a name and metadata it does not match; run without --date/--interval/--node to collect the live snapshot",
                field: "RefId", values: asked.merging(["RefId": refText]) { mine, _ in mine }))
        }
        return .valid(ValidationReport(recordCount: records.count, shape: "live"))
    }

    private func recordFailure(_ record: JSONNode, index: Int) -> ValidationFailure? {
        guard record.members != nil else {
            return ValidationFailure(rule: Rule.jsonStructure, reason: "each Interval entry must be an object, found \(JSONPreview.described(record))",
                                     recordIndex: index)
        }
        for field in Self.fields where record[field] == nil {
            return ValidationFailure(rule: Rule.jsonStructure, reason: "the Interval entry has no \(field) field", recordIndex: index, field: field)
        }
        var solution: MisoTimeText.LocalTime?
        for field in ["CASEAPPROVALDATE", "SOLUTIONTIME"] {
            let node = record[field]
            guard let time = node?.string.flatMap(MisoTimeText.parseMeridiemTime) else {
                return ValidationFailure(rule: Rule.liveTimeFormat,
                                         reason: "\(field) must read like \"2026-07-27 8:00:00 AM\" (yyyy-MM-dd h:mm:ss AM/PM), found \(JSONPreview.described(node))",
                                         recordIndex: index, field: field, values: [field: JSONPreview.text(node)])
            }
            if field == "SOLUTIONTIME" { solution = time }
        }
        if let solution, solution.minute % 5 != 0 || solution.second != 0 {
            let text = record["SOLUTIONTIME"]?.string ?? ""
            return ValidationFailure(rule: Rule.liveIntervalGrid,
                                     reason: "SOLUTIONTIME \(text) is not on a 5-minute boundary with 0 seconds",
                                     recordIndex: index, field: "SOLUTIONTIME", values: ["SOLUTIONTIME": text])
        }
        let price = record["PJMFORECASTEDLMP"]
        if price?.string.flatMap(MisoTimeText.decimal) == nil {
            return ValidationFailure(rule: Rule.livePriceNumeric,
                                     reason: "PJMFORECASTEDLMP must be a finite decimal number in a string such as \"45.73\", found \(JSONPreview.described(price))",
                                     recordIndex: index, field: "PJMFORECASTEDLMP", values: ["PJMFORECASTEDLMP": JSONPreview.text(price)])
        }
        return nil
    }

    private func fail(_ failure: ValidationFailure) -> ValidationResult { .invalid(failure) }
}
