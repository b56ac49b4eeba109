/// The CTS response in the flat shape the live feed answers with:
/// `{"RefId": "20-Jan-2025 - Interval 08:00 EST", "Interval": [{CASEAPPROVALDATE, SOLUTIONTIME, PJMFORECASTEDLMP}]}`.
/// Twelve 15-minute forecasts from 08:00, prices as strings.
struct CTSLivePayload {
    struct Entry {
        var caseApprovalDate: String
        var solutionTime: String
        var price: String
    }

    static let firstMinute = 8 * 60
    static let entryCount = 12

    var refID: String
    var entries: [Entry]

    init(day: OperatingDay, seed: UInt64) {
        refID = "\(day.refIdDate) - Interval \(ClockText.hhmm(Self.firstMinute)) EST"
        let approval = "\(day.iso) \(ClockText.twelveHour(Self.firstMinute + 4, seconds: 9))"
        entries = (0..<Self.entryCount).map { step in
            let minute = Self.firstMinute + 15 * step
            var random = SeededRandom(seed: seed, key: "cts-live|\(day.iso)|\(minute)")
            return Entry(caseApprovalDate: approval, solutionTime: "\(day.iso) \(ClockText.twelveHour(minute))",
                         price: Decimal2.cents(2500 + random.int(in: 0...4000)))
        }
    }

    mutating func apply(_ fault: SimulatorFault, day: OperatingDay) {
        let target = entries.count / 2
        switch fault {
        case .liveBadRefID: refID = "Interval unknown"
        case .liveEmpty: entries = []
        case .liveBadTime: entries[target].solutionTime = "\(day.iso) 13:75:00 PM"
        case .liveOffGrid: entries[0].solutionTime = "\(day.iso) \(ClockText.twelveHour(Self.firstMinute + 7))"
        case .liveBadPrice: entries[target].price = "None"
        default: break
        }
    }

    var json: JSONText {
        .object([
            ("RefId", .string(refID)),
            ("Interval", .array(entries.map {
                .object([("CASEAPPROVALDATE", .string($0.caseApprovalDate)), ("SOLUTIONTIME", .string($0.solutionTime)),
                         ("PJMFORECASTEDLMP", .string($0.price))])
            })),
        ])
    }
}
