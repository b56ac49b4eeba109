/// `/api/MarketPricing/GetExAnteLmp` in its live shape: nine hubs for the 08:15 interval, numbers as strings.
struct ExAntePayload {
    struct Hub {
        var name: String
        var lmp: String
        var loss: String
        var congestion: String
    }

    static let hubNames = ["ARKANSAS.HUB", "ILLINOIS.HUB", "INDIANA.HUB", "LOUISIANA.HUB", "MICHIGAN.HUB",
                           "MINN.HUB", "MS.HUB", "SWPP", "TEXAS.HUB"]
    static let minute = 8 * 60 + 15

    var refID: String
    var hourAndMin: String
    var hubs: [Hub]

    init(day: OperatingDay, seed: UInt64) {
        refID = "\(day.refIdDate) - Interval \(ClockText.hhmm(Self.minute)) EST"
        hourAndMin = ClockText.hhmm(Self.minute)
        hubs = Self.hubNames.map { name in
            var random = SeededRandom(seed: seed, key: "exante|\(day.iso)|\(name)")
            let energy = 1800 + random.int(in: 0...2500)
            let loss = random.int(in: -250...120)
            let congestion = random.int(in: 0...2) == 0 ? 0 : random.int(in: -300...300)
            return Hub(name: name, lmp: Decimal2.cents(energy + loss + congestion), loss: Decimal2.cents(loss),
                       congestion: Decimal2.cents(congestion))
        }
    }

    mutating func apply(_ fault: SimulatorFault) {
        switch fault {
        case .exAnteDuplicateHub: hubs[1].name = hubs[0].name
        case .exAnteBadRefID: refID = "not a reference"
        case .exAnteNoHubs: hubs = []
        case .exAnteBadNumber: hubs[hubs.count / 2].lmp = "abc"
        case .exAnteHourMismatch: hourAndMin = ClockText.hhmm(Self.minute + 60)
        default: break
        }
    }

    var json: JSONText {
        .object([("LMPData", .object([
            ("RefId", .string(refID)),
            ("ExAnteLMP", .object([
                ("HourAndMin", .string(hourAndMin)),
                ("Hub", .array(hubs.map {
                    .object([("name", .string($0.name)), ("LMP", .string($0.lmp)), ("loss", .string($0.loss)),
                             ("congestion", .string($0.congestion))])
                })),
            ])),
        ]))])
    }
}
