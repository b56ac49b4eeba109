import CollectionFramework
import Foundation

extension MisoCTSCollector {
    /// Judges one payload; never traps, whatever the bytes.
    ///
    /// The payload is parsed with the strict ``JSONParser`` (so duplicate keys, `NaN`, `1e309`,
    /// invalid UTF-8 and deep nesting are refused), then recognised as the documented shape (`data`
    /// and `metadata`: rules `json_structure`, `numeric_values`, `lmp_arithmetic`, `interval_format`,
    /// `lmp_direction`, `transaction_direction`, `volume_non_negative`, `data_quality`,
    /// `operating_day`) or the live shape (`RefId` and `Interval`: rules `live_refid`,
    /// `live_non_empty`, `live_time_format`, `live_interval_grid`, `live_price_numeric`,
    /// `live_filters_ignored`). Anything else fails `json_structure`. The date rules apply when the
    /// candidate's context has a requested date (``CandidateContext/requestedDate``).
    public func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        let requestedDate = candidate.context.requestedDate?.description
        // The documented shape's records are judged one by one as the parser streams them past, so
        // a large payload never exists as a whole tree (memory stays near the payload's own size).
        var documented = MisoCTSDocumentedValidator(requestedDate: requestedDate)
        let root: JSONNode
        let streamedRecords: Int?
        do {
            let document = try JSONParser.parse(content, streamingArrayAt: "data") { index, record in
                documented.check(record, index: index)
            }
            root = document.root
            streamedRecords = document.streamedCount
        } catch let error as JSONParseError {
            return .invalid(ValidationFailure(rule: MisoCTSRule.jsonStructure, reason: "the payload is not valid JSON: \(error)",
                                              values: ["offset": String(error.offset)]))
        } catch {
            return .invalid(ValidationFailure(rule: MisoCTSRule.jsonStructure, reason: "the payload is not valid JSON: \(error)"))
        }
        guard root.members != nil else {
            return .invalid(ValidationFailure(rule: MisoCTSRule.jsonStructure,
                                              reason: "the payload must be a JSON object, found \(JSONPreview.described(root))"))
        }
        if root["data"] != nil || root["metadata"] != nil {
            return documented.finish(root, recordCount: streamedRecords ?? 0)
        }
        if root["RefId"] != nil || root["Interval"] != nil {
            return MisoCTSLiveValidator(requestedDate: requestedDate, filters: candidate.context.filters).validate(root)
        }
        let keys = (root.keys ?? []).prefix(10).joined(separator: ", ")
        return .invalid(ValidationFailure(
            rule: MisoCTSRule.jsonStructure,
            reason: "the payload is neither the documented shape (data + metadata) nor the live shape (RefId + Interval); its keys are: \(keys.isEmpty ? "none" : keys)"))
    }
}
