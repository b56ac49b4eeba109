import CollectionFramework

/// The per-record check of the documented shape in one pass over the record's members, with no
/// path walking, node copies or allocations: the common case (a sound record) costs a few
/// comparisons per field. It only answers "passes or not"; a record that does not pass goes
/// through the full checks, which name the exact rule, field and values.
extension MisoCTSDocumentedValidator {
    /// True exactly when ``check(_:index:)``'s structure and value rules all accept `record`.
    static func recordPasses(_ record: JSONNode) -> Bool {
        guard case .object(let members) = record else { return false }
        var hasTimestamp = false, hasNode = false, intervalValid = false
        var lmpPasses = false, volumePasses = false
        var lmp: [JSONMember] = [], volume: [JSONMember] = []
        // Keys are told apart by length first (all five differ), so unequal keys are never compared in full.
        for member in members {
            let key = member.key
            switch key.utf8.count {
            case 9 where key == "timestamp":
                guard case .string = member.value else { return false }
                hasTimestamp = true
            case 8 where key == "interval":
                guard case .string(let text) = member.value, MisoCTSCollector.isValidInterval(text) else { return false }
                intervalValid = true
            case 4 where key == "node":
                guard case .string = member.value else { return false }
                hasNode = true
            case 13 where key == "forecastedLMP":
                guard case .object(let fields) = member.value else { return false }
                lmp = fields
                lmpPasses = true
            case 17 where key == "transactionVolume":
                guard case .object(let fields) = member.value else { return false }
                volume = fields
                volumePasses = true
            default:
                continue
            }
        }
        guard hasTimestamp, hasNode, intervalValid, lmpPasses, volumePasses else { return false }
        return lmpFieldsPass(lmp) && volumeFieldsPass(volume)
    }

    /// `forecastedLMP`: numeric total and components that add up, and a known direction.
    private static func lmpFieldsPass(_ fields: [JSONMember]) -> Bool {
        var total: Double?, energy: Double?, congestion: Double?, losses: Double?
        var directionKnown = false
        for member in fields {
            let key = member.key
            switch key.utf8.count {
            case 5 where key == "total":
                guard case .number(let value) = member.value else { return false }
                total = value
            case 10 where key == "components":
                guard case .object(let parts) = member.value else { return false }
                for part in parts {
                    guard part.key.utf8.count == 6 || part.key.utf8.count == 10 else { continue }
                    if part.key == "energy" || part.key == "congestion" || part.key == "losses" {
                        guard case .number(let value) = part.value else { return false }
                        switch part.key {
                        case "energy": energy = value
                        case "congestion": congestion = value
                        default: losses = value
                        }
                    }
                }
            case 9 where key == "direction":
                guard case .string(let text) = member.value, MisoCTSRule.lmpDirections.contains(text) else { return false }
                directionKnown = true
            default:
                continue
            }
        }
        guard let total, let energy, let congestion, let losses, directionKnown else { return false }
        let sum = energy + congestion + losses
        return abs(total - sum) <= MisoCTSRule.lmpTolerance
    }

    /// `transactionVolume`: a non-negative numeric `mwh` and a known direction.
    private static func volumeFieldsPass(_ fields: [JSONMember]) -> Bool {
        var mwh: Double?
        var directionKnown = false
        for member in fields {
            let key = member.key
            switch key.utf8.count {
            case 3 where key == "mwh":
                guard case .number(let value) = member.value else { return false }
                mwh = value
            case 9 where key == "direction":
                guard case .string(let text) = member.value, MisoCTSRule.transactionDirections.contains(text) else { return false }
                directionKnown = true
            default:
                continue
            }
        }
        guard let mwh, directionKnown else { return false }
        return mwh >= 0
    }
}
