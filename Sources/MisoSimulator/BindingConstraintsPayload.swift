/// `/api/BindingConstraints/RealTime` in its live shape: a few constraints binding in the 08:10 interval,
/// or the documented "nothing binding" form (one element of "None"/"0").
struct BindingConstraintsPayload {
    static let fieldNames = ["Name", "Period", "Price", "OVERRIDE", "CURVETYPE", "BP1", "PC1", "BP2", "PC2"]
    static let constraintNames = ["ALEWEC02_ROCKDAL1_66320_66", "ALW16041_ABBOTT_ABBOTTRAER16_1_1",
                                  "BENTON_HARBOR_PALISADES_345", "QUAD_CITIES_ROCK_CREEK_FLO"]
    static let minute = 8 * 60 + 10

    var refID: String
    /// Each constraint's values, in ``fieldNames`` order.
    var constraints: [[String]]

    init(day: OperatingDay, seed: UInt64, nothingBinding: Bool) {
        refID = "\(day.refIdDate) - Interval \(ClockText.hhmm(Self.minute)) EST"
        if nothingBinding {
            constraints = [Self.nothingBindingValues]
            return
        }
        let period = "\(day.iso)T\(ClockText.hhmm(Self.minute)):00"
        constraints = Self.constraintNames.map { name in
            var random = SeededRandom(seed: seed, key: "binding|\(day.iso)|\(name)")
            let price = -random.int(in: 500...40000)
            let steep = random.int(in: 0...1) == 0
            return [name, period, Decimal2.cents(price), "0", "PERCENT", "100", steep ? "1000" : "700", "102",
                    steep ? "2000" : "1000"]
        }
    }

    static let nothingBindingValues = ["None", "None", "0", "0", "None", "0", "0", "0", "0"]

    mutating func apply(_ fault: SimulatorFault, day: OperatingDay) {
        switch fault {
        case .bindingNone: constraints = [Self.nothingBindingValues]
        case .bindingBadPeriod: constraints[0][1] = "\(day.adding(days: -1).iso)T\(ClockText.hhmm(Self.minute)):00"
        case .bindingBadPrice: constraints[constraints.count / 2][2] = "n/a"
        default: break
        }
    }

    var json: JSONText {
        .object([
            ("RefId", .string(refID)),
            ("Constraint", .array(constraints.map { values in
                .object(zip(Self.fieldNames, values).map { ($0.0, JSONText.string($0.1)) })
            })),
        ])
    }
}
